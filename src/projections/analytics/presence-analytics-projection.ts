import type { Availability } from '../../events/domain/availability.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { BatchRows, bulkDeleteSql, bulkUpsertSql, defineSqlProjection, writeBulk, type BulkTable } from '../framework/index.ts';
import { aggregatePresence } from '../presence/aggregate-presence.ts';
import { PRESENCE_EVENT_TYPES, type PresenceEventType, type RecordedPresenceEvent } from '../presence/presence-event-types.ts';
import { emptyPresenceRecord, emptyPresenceViewState, type PresenceViewState } from '../presence/presence-view-state.ts';
import { applyPresenceEvent } from '../presence/presence-view.ts';
import { isoInstantSql, splitByDay } from './analytics-buckets.ts';
import { lapsesBetween } from './presence-lapses.ts';
import { loadCall, loadInputs, storeInputs } from './presence-analytics-state.ts';

/**
 * Presence time-in-state: for each user and UTC day, how many milliseconds
 * their aggregated availability (what watchers saw) was available, busy, away,
 * … A state ends at the event that changes it, or at the instant an input
 * lapsed (a binding, publication or user-set state past its expiry changes the
 * aggregate without any event: the change is dated at the expiry, not at the
 * sweep that records it later). The state a user is in now is open
 * (`analytics_presence_current.since`); readers add it up to their own "now".
 * A user is counted from the first event that concerns their presence.
 */
export const PRESENCE_ANALYTICS_TABLES = [
  'analytics_presence_inputs',
  'analytics_presence_calls',
  'analytics_presence_current',
  'analytics_presence_daily',
] as const;

const CREATE = /* sql */ `
CREATE TABLE analytics_presence_inputs (
  sip_uri text  PRIMARY KEY,
  inputs  jsonb NOT NULL
);
CREATE TABLE analytics_presence_calls (
  sip_call_id text  PRIMARY KEY,
  call        jsonb NOT NULL
);
CREATE TABLE analytics_presence_current (
  sip_uri      text        PRIMARY KEY,
  availability text        NOT NULL,
  since        timestamptz NOT NULL,
  -- The last instant the aggregate was evaluated at: lapses are looked for after it.
  checked_at   timestamptz NOT NULL
);
CREATE TABLE analytics_presence_daily (
  sip_uri      text    NOT NULL,
  day          date    NOT NULL,
  availability text    NOT NULL,
  millis       bigint  NOT NULL,
  PRIMARY KEY (sip_uri, day, availability)
);`;

const INPUTS: BulkTable = { name: 'analytics_presence_inputs', columns: { sip_uri: 'text', inputs: 'jsonb' }, key: ['sip_uri'] };
const CALLS: BulkTable = { name: 'analytics_presence_calls', columns: { sip_call_id: 'text', call: 'jsonb' }, key: ['sip_call_id'] };
const CURRENT: BulkTable = {
  name: 'analytics_presence_current',
  columns: { sip_uri: 'text', availability: 'text', since: 'timestamptz', checked_at: 'timestamptz' },
  key: ['sip_uri'],
};
const UPSERT_INPUTS = bulkUpsertSql(INPUTS);
const DELETE_INPUTS = bulkDeleteSql(INPUTS);
const UPSERT_CALLS = bulkUpsertSql(CALLS);
const DELETE_CALLS = bulkDeleteSql(CALLS);
const UPSERT_CURRENT = bulkUpsertSql(CURRENT);
const DELETE_CURRENT = bulkDeleteSql(CURRENT);
// Additive: a day's total grows with every closed interval that falls on it.
const ADD_DAILY = /* sql */ `
INSERT INTO analytics_presence_daily (sip_uri, day, availability, millis)
SELECT r.sip_uri, r.day, r.availability, r.millis FROM json_to_recordset($1::json) AS r (sip_uri text, day date, availability text, millis bigint)
ON CONFLICT (sip_uri, day, availability) DO UPDATE SET millis = analytics_presence_daily.millis + EXCLUDED.millis`;
const SELECT_INPUTS = `SELECT sip_uri, inputs FROM analytics_presence_inputs WHERE sip_uri = ANY($1::text[])`;
const SELECT_CALLS = `SELECT sip_call_id, call FROM analytics_presence_calls WHERE sip_call_id = ANY($1::text[])`;
const SELECT_ALL_CALLS = `SELECT sip_call_id, call FROM analytics_presence_calls`;
const SELECT_CURRENT = /* sql */ `
SELECT sip_uri, availability, ${isoInstantSql('since')} AS since, ${isoInstantSql('checked_at')} AS checked_at
FROM analytics_presence_current WHERE sip_uri = ANY($1::text[])`;

// Watching and blocking change nobody's availability; the rest is exactly what the presence model reads.
const NOT_AVAILABILITY: readonly PresenceEventType[] = ['presence.watcher_subscribed.v1', 'presence.watcher_unsubscribed.v1', 'presence.blocks_set.v1'];
const HANDLED = PRESENCE_EVENT_TYPES.filter((t) => !NOT_AVAILABILITY.includes(t));

interface Current {
  availability: Availability;
  since: string;
  checkedAt: string;
}

const isUser = (uri: string | null | undefined): uri is string => typeof uri === 'string' && uri.startsWith('sip:');
const canonical = (iso: string): string => new Date(iso).toISOString();

/** The users whose presence an event may change, before it is applied (a superset of what `apply` reports). */
function usersBefore(event: RecordedPresenceEvent, state: PresenceViewState): string[] {
  if ('sipUri' in event.data) return [event.data.sipUri];
  const call = state.calls.get(event.data.sipCallId);
  const users = [...(call?.parties ?? []), call?.caller, call?.routedTarget, 'by' in event.data ? event.data.by : null];
  return [...new Set(users.filter(isUser))];
}

/** Every SIP URI a batch names, directly or through the calls it loaded. */
function namedUsers(events: readonly RecordedPresenceEvent[], state: PresenceViewState): Set<string> {
  const users = new Set<string>();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    for (const key of ['sipUri', 'caller', 'by', 'from', 'to'] as const) if (isUser(d[key] as string | undefined)) users.add(d[key] as string);
    const route = d['route'] as { kind: string; target?: string } | undefined;
    if (route?.kind === 'user' && isUser(route.target)) users.add(route.target);
  }
  for (const call of state.calls.values()) for (const u of [...call.parties, call.caller, call.routedTarget]) if (isUser(u)) users.add(u);
  return users;
}

class PresenceTimeline {
  readonly #current = new Map<string, Current>();
  readonly #changed = new Set<string>();
  readonly #removed = new Set<string>();
  readonly #daily = new Map<string, number>();

  async load(tx: Pick<SqlTransaction, 'query'>, users: ReadonlySet<string>): Promise<void> {
    const rows = new BatchRows('analytics_presence: user');
    await rows.load(tx, SELECT_CURRENT, users);
    for (const row of rows.values())
      this.#current.set(String(row['sip_uri']), {
        availability: row['availability'] as Availability,
        since: String(row['since']),
        checkedAt: String(row['checked_at']),
      });
  }

  /** Records the lapses of `sipUri`'s inputs before `at`, dated when they happened. */
  advance(state: PresenceViewState, sipUri: string, at: string): void {
    const current = this.#current.get(sipUri);
    if (!current) return;
    const inputs = state.users.get(sipUri) ?? emptyPresenceRecord();
    for (const change of lapsesBetween(inputs, current.availability, current.checkedAt, at)) this.#settle(sipUri, change.availability, change.at);
  }

  /** The user's aggregate at `at`, after an event changed their inputs. */
  evaluate(state: PresenceViewState, sipUri: string, at: string): void {
    this.#settle(sipUri, aggregatePresence(state.users.get(sipUri) ?? emptyPresenceRecord(), at).availability, at);
  }

  /** A deprovisioned user's last state ends at `at`; they are no longer counted. */
  end(sipUri: string, at: string): void {
    const current = this.#current.get(sipUri);
    if (current) this.#close(sipUri, current, at);
    this.#current.delete(sipUri);
    this.#changed.delete(sipUri);
    this.#removed.add(sipUri);
  }

  #settle(sipUri: string, availability: Availability, at: string): void {
    const current = this.#current.get(sipUri);
    this.#removed.delete(sipUri);
    this.#changed.add(sipUri);
    if (!current) {
      this.#current.set(sipUri, { availability, since: at, checkedAt: at });
      return;
    }
    if (Date.parse(at) > Date.parse(current.checkedAt)) current.checkedAt = at;
    if (current.availability === availability) return;
    this.#close(sipUri, current, at);
    current.availability = availability;
    current.since = at;
  }

  #close(sipUri: string, current: Current, at: string): void {
    for (const { day, millis } of splitByDay(current.since, at)) {
      const key = JSON.stringify([sipUri, day, current.availability]);
      this.#daily.set(key, (this.#daily.get(key) ?? 0) + millis);
    }
  }

  async write(tx: Pick<SqlTransaction, 'query'>): Promise<void> {
    const daily = [...this.#daily].map(([key, millis]) => {
      const [sip_uri, day, availability] = JSON.parse(key) as [string, string, string];
      return { sip_uri, day, availability, millis };
    });
    await writeBulk(tx, ADD_DAILY, daily);
    await writeBulk(tx, DELETE_CURRENT, [...this.#removed].map((sip_uri) => ({ sip_uri })));
    await writeBulk(
      tx,
      UPSERT_CURRENT,
      [...this.#changed].map((sip_uri) => {
        const c = this.#current.get(sip_uri)!;
        return { sip_uri, availability: c.availability, since: c.since, checked_at: c.checkedAt };
      }),
    );
  }
}

export const presenceAnalyticsProjection = defineSqlProjection<DomainEvent, PresenceEventType>({
  name: 'analytics_presence',
  version: 1,
  tables: PRESENCE_ANALYTICS_TABLES,
  schema: CREATE,
  canHandle: HANDLED,
  async handle(events, tx) {
    const state = emptyPresenceViewState();
    // Deprovisioning takes the user out of every call, so it needs them all (few: only calls in progress are kept).
    const allCalls = events.some((e) => e.type === 'directory.user_deprovisioned.v1');
    const callIds = new Set(events.flatMap((e) => ('sipCallId' in e.data ? [e.data.sipCallId] : [])));
    const callRows = await tx.query<{ sip_call_id: string; call: unknown }>(allCalls ? SELECT_ALL_CALLS : SELECT_CALLS, allCalls ? [] : [[...callIds]]);
    for (const row of callRows.rows) state.calls.set(row.sip_call_id, loadCall(row.call));
    const loadedCalls = new Set(state.calls.keys());

    const users = namedUsers(events, state);
    const inputRows = await tx.query<{ sip_uri: string; inputs: unknown }>(SELECT_INPUTS, [[...users]]);
    for (const row of inputRows.rows) state.users.set(row.sip_uri, loadInputs(row.inputs));
    const loadedUsers = new Set(state.users.keys());
    const timeline = new PresenceTimeline();
    await timeline.load(tx, users);

    for (const event of events) {
      const at = canonical(event.data.at);
      for (const user of usersBefore(event, state)) timeline.advance(state, user, at);
      const changed = applyPresenceEvent(state, event);
      if (event.type === 'directory.user_deprovisioned.v1') timeline.end(event.data.sipUri, at);
      else for (const user of changed) timeline.evaluate(state, user, at);
    }

    await writeBulk(tx, DELETE_INPUTS, [...loadedUsers].filter((u) => !state.users.has(u)).map((sip_uri) => ({ sip_uri })));
    await writeBulk(tx, UPSERT_INPUTS, [...state.users].map(([sip_uri, record]) => ({ sip_uri, inputs: storeInputs(record) })));
    await writeBulk(tx, DELETE_CALLS, [...loadedCalls].filter((id) => !state.calls.has(id)).map((sip_call_id) => ({ sip_call_id })));
    await writeBulk(tx, UPSERT_CALLS, [...state.calls].map(([sip_call_id, call]) => ({ sip_call_id, call })));
    await timeline.write(tx);
  },
});
