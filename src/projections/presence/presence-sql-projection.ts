import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import {
  bulkDeleteSql,
  bulkInsertSql,
  bulkUpsertSql,
  defineSqlProjection,
  writeBulk,
  type BulkRow,
  type BulkTable,
} from '../framework/index.ts';
import { aggregatePresence, presenceValidThrough } from './aggregate-presence.ts';
import { evolveTrackedCall, type TrackedCall } from './call-parties.ts';
import { canonicalInstant } from './instants.ts';
import { loadPresenceInputsOf } from './load-presence.ts';
import { PRESENCE_EVENT_TYPES, type PresenceEventType, type RecordedPresenceEvent } from './presence-event-types.ts';
import { PRESENCE_SCHEMA, PRESENCE_TABLES, selectCalls } from './presence-tables.ts';

export const PRESENCE_PROJECTION_NAME = 'presence';

const ENDPOINTS: BulkTable = {
  name: 'presence_endpoints',
  columns: { sip_uri: 'text', endpoint_id: 'text', expires_at: 'timestamptz' },
  key: ['sip_uri', 'endpoint_id'],
};
const PUBLICATIONS: BulkTable = {
  name: 'presence_publications',
  columns: {
    sip_uri: 'text',
    endpoint_id: 'text',
    availability: 'text',
    code: 'integer',
    activity: 'text',
    note: 'text',
    etag: 'text',
    expires_at: 'timestamptz',
    published_at: 'timestamptz',
  },
  key: ['sip_uri', 'endpoint_id'],
};
const USER_STATES: BulkTable = {
  name: 'presence_user_states',
  columns: { sip_uri: 'text', availability: 'text', code: 'integer', note: 'text', until: 'timestamptz', set_at: 'timestamptz' },
  key: ['sip_uri'],
};
const WATCHERS: BulkTable = {
  name: 'presence_watchers',
  columns: {
    sip_uri: 'text',
    subscription_id: 'text',
    watcher_uri: 'text',
    expires_at: 'timestamptz',
    subscribed_at: 'timestamptz',
    refreshed_at: 'timestamptz',
  },
  key: ['sip_uri', 'subscription_id'],
};
const BLOCKS: BulkTable = {
  name: 'presence_blocks',
  columns: { sip_uri: 'text', blocked: 'text[]', set_at: 'timestamptz' },
  key: ['sip_uri'],
};
const CALLS: BulkTable = {
  name: 'presence_calls',
  columns: { sip_call_id: 'text', caller: 'text', routed_target: 'text', answered: 'boolean', parked_by: 'text' },
  key: ['sip_call_id'],
};
const CALL_PARTIES: BulkTable = {
  name: 'presence_call_parties',
  columns: { sip_call_id: 'text', sip_uri: 'text' },
  key: ['sip_call_id', 'sip_uri'],
};
const STATES: BulkTable = {
  name: 'presence_states',
  columns: {
    sip_uri: 'text',
    availability: 'text',
    code: 'integer',
    activity: 'text',
    note: 'text',
    source: 'text',
    in_call: 'boolean',
    as_of: 'timestamptz',
    valid_through: 'timestamptz',
  },
  key: ['sip_uri'],
};

const UPSERT_ENDPOINTS = bulkUpsertSql(ENDPOINTS);
const DELETE_ENDPOINTS = bulkDeleteSql(ENDPOINTS);
const UPSERT_PUBLICATIONS = bulkUpsertSql(PUBLICATIONS);
const DELETE_PUBLICATIONS = bulkDeleteSql(PUBLICATIONS);
const UPSERT_USER_STATES = bulkUpsertSql(USER_STATES);
const DELETE_USER_STATES = bulkDeleteSql(USER_STATES);
// A refresh keeps the first subscription instant (a subscription deleted earlier in the batch is deleted first, so it starts afresh).
const UPSERT_WATCHERS = bulkUpsertSql(WATCHERS, ['watcher_uri', 'expires_at', 'refreshed_at']);
const DELETE_WATCHERS = bulkDeleteSql(WATCHERS);
const UPSERT_BLOCKS = bulkUpsertSql(BLOCKS);
const DELETE_BLOCKS = bulkDeleteSql(BLOCKS);
const UPSERT_CALLS = bulkUpsertSql(CALLS);
const DELETE_CALLS = bulkDeleteSql(CALLS);
const INSERT_CALL_PARTIES = bulkInsertSql(CALL_PARTIES);
const DELETE_CALL_PARTIES = bulkDeleteSql(CALL_PARTIES);
const UPSERT_STATES = bulkUpsertSql(STATES);
const DELETE_STATES = bulkDeleteSql(STATES);

// Deprovisioning: the user's rows everywhere, including their own subscriptions and call seats.
const DEPROVISION = [
  /* sql */ `DELETE FROM presence_endpoints WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_publications WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_user_states WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_call_parties WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_watchers WHERE sip_uri = $1 OR watcher_uri = $1`,
  /* sql */ `DELETE FROM presence_blocks WHERE sip_uri = $1`,
] as const;

/**
 * The presence model as tables (see presence-tables.ts), built with the same
 * rules as the in-memory `presenceView`: every input event becomes an input
 * row, and each user an event touched gets their `presence_states` row
 * re-aggregated (by `aggregatePresence`) as of that event's `at`, once per
 * batch. Re-aggregating once per batch gives the same row as once per event:
 * the row depends only on the inputs and the last touching event.
 */
export const presenceProjection = defineSqlProjection<DomainEvent, PresenceEventType>({
  name: PRESENCE_PROJECTION_NAME,
  // 2: presence_blocks.
  version: 2,
  tables: PRESENCE_TABLES,
  schema: PRESENCE_SCHEMA,
  canHandle: PRESENCE_EVENT_TYPES,
  async handle(events, tx) {
    const touched = new Touched();
    // Deprovisioning reaches rows of other users (their subscriptions to the
    // user, the user's seats in their calls), so it is a barrier: the
    // segment before it is written first, then its deletes run as they are.
    let segment = new PresenceSegment(touched);
    for (const event of events) {
      if (event.type !== 'directory.user_deprovisioned.v1') {
        segment.apply(event);
        continue;
      }
      await segment.write(tx);
      for (const statement of DEPROVISION) await tx.query(statement, [event.data.sipUri]);
      touched.touch(event.data.sipUri, event);
      segment = new PresenceSegment(touched);
    }
    await segment.write(tx);
    await writeAggregates(tx, touched);
  },
});

/** user → the last event of the batch that touched their inputs (calls are evolved after the segment's other events). */
class Touched {
  readonly #last = new Map<string, { readonly at: string; readonly position: bigint }>();

  touch(sipUri: string, event: RecordedPresenceEvent): void {
    const before = this.#last.get(sipUri);
    if (!before || before.position < event.globalPosition) this.#last.set(sipUri, { at: event.data.at, position: event.globalPosition });
  }

  get size(): number {
    return this.#last.size;
  }

  users(): string[] {
    return [...this.#last.keys()];
  }

  *entries(): Generator<[sipUri: string, at: string]> {
    for (const [sipUri, { at }] of this.#last) yield [sipUri, at];
  }
}

const keyOf = (a: string, b: string): string => `${a}\u0000${b}`;

type WatcherWrite =
  | { readonly kind: 'delete'; readonly row: BulkRow }
  // upsert: keeps a stored subscribed_at; replace: the row was deleted earlier in the segment.
  | { readonly kind: 'upsert' | 'replace'; readonly row: BulkRow };

/**
 * A run of events without deprovisioning, folded in memory: the last write
 * per input row wins (every input row is written whole, except a watcher
 * refresh, which keeps the first subscription instant), and calls are
 * evolved from their stored state by `evolveTrackedCall`, the view's rule.
 */
class PresenceSegment {
  readonly #touched: Touched;
  readonly #events: RecordedPresenceEvent[] = [];
  // key → the row to write, or null to delete it.
  readonly #endpoints = new Map<string, BulkRow | null>();
  readonly #publications = new Map<string, BulkRow | null>();
  readonly #userStates = new Map<string, BulkRow | null>();
  readonly #watchers = new Map<string, WatcherWrite>();
  // sipUri → the whole list (an empty list deletes the row, as the view drops its entry).
  readonly #blocks = new Map<string, BulkRow | null>();

  constructor(touched: Touched) {
    this.#touched = touched;
  }

  apply(event: Exclude<RecordedPresenceEvent, { type: 'directory.user_deprovisioned.v1' }>): void {
    switch (event.type) {
      case 'presence.published.v1': {
        const d = event.data;
        this.#publications.set(keyOf(d.sipUri, d.endpointId), {
          sip_uri: d.sipUri,
          endpoint_id: d.endpointId,
          availability: d.availability,
          code: d.code,
          activity: d.activity,
          note: d.note,
          etag: d.etag,
          expires_at: d.expiresAt,
          published_at: d.at,
        });
        break;
      }
      case 'presence.withdrawn.v1':
      case 'presence.expired.v1':
        this.#publications.set(keyOf(event.data.sipUri, event.data.endpointId), null);
        break;
      case 'presence.user_state_set.v1': {
        const d = event.data;
        this.#userStates.set(d.sipUri, { sip_uri: d.sipUri, availability: d.availability, code: d.code, note: d.note, until: d.until, set_at: d.at });
        break;
      }
      case 'presence.user_state_cleared.v1':
        this.#userStates.set(event.data.sipUri, null);
        break;
      case 'presence.watcher_subscribed.v1': {
        const d = event.data;
        const key = keyOf(d.sipUri, d.subscriptionId);
        const before = this.#watchers.get(key);
        const row = { sip_uri: d.sipUri, subscription_id: d.subscriptionId, watcher_uri: d.watcherUri, expires_at: d.expiresAt, refreshed_at: d.at };
        if (before === undefined) this.#watchers.set(key, { kind: 'upsert', row: { ...row, subscribed_at: d.at } });
        else if (before.kind === 'delete') this.#watchers.set(key, { kind: 'replace', row: { ...row, subscribed_at: d.at } });
        else this.#watchers.set(key, { kind: before.kind, row: { ...row, subscribed_at: before.row['subscribed_at'] } });
        return;
      }
      case 'presence.watcher_unsubscribed.v1': {
        const d = event.data;
        this.#watchers.set(keyOf(d.sipUri, d.subscriptionId), { kind: 'delete', row: { sip_uri: d.sipUri, subscription_id: d.subscriptionId } });
        return;
      }
      case 'presence.blocks_set.v1': {
        // Not an aggregation input: the presence_states row stays as it is.
        const d = event.data;
        this.#blocks.set(d.sipUri, d.blocked.length === 0 ? null : { sip_uri: d.sipUri, blocked: d.blocked, set_at: d.at });
        return;
      }
      case 'endpoint.registered.v1':
      case 'endpoint.refreshed.v1': {
        const d = event.data;
        this.#endpoints.set(keyOf(d.sipUri, d.endpointId), { sip_uri: d.sipUri, endpoint_id: d.endpointId, expires_at: d.expiresAt });
        break;
      }
      case 'endpoint.unregistered.v1':
      case 'endpoint.expired.v1':
        this.#endpoints.set(keyOf(event.data.sipUri, event.data.endpointId), null);
        break;
      case 'call.initiated.v1':
      case 'call.routed.v1':
      case 'call.ringing.v1':
      case 'call.answered.v1':
      case 'call.forwarded.v1':
      case 'call.transferred.v1':
      case 'call.held.v1':
      case 'call.resumed.v1':
      case 'call.parked.v1':
      case 'call.retrieved.v1':
      case 'call.ended.v1':
        // Calls need their stored state: evolved in write(), after one read for all of them.
        this.#events.push(event);
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`presence projection cannot apply ${String(unreachable)}`);
      }
    }
    this.#touched.touch(event.data.sipUri, event);
  }

  async write(tx: SqlTransaction): Promise<void> {
    await this.#writeCalls(tx);
    await writeRows(tx, this.#endpoints, UPSERT_ENDPOINTS, DELETE_ENDPOINTS, (k) => splitKey(k, 'sip_uri', 'endpoint_id'));
    await writeRows(tx, this.#publications, UPSERT_PUBLICATIONS, DELETE_PUBLICATIONS, (k) => splitKey(k, 'sip_uri', 'endpoint_id'));
    await writeRows(tx, this.#userStates, UPSERT_USER_STATES, DELETE_USER_STATES, (k) => ({ sip_uri: k }));
    await writeRows(tx, this.#blocks, UPSERT_BLOCKS, DELETE_BLOCKS, (k) => ({ sip_uri: k }));
    const watchers = [...this.#watchers.values()];
    await writeBulk(tx, DELETE_WATCHERS, watchers.filter((w) => w.kind !== 'upsert').map((w) => w.row));
    await writeBulk(tx, UPSERT_WATCHERS, watchers.filter((w) => w.kind !== 'delete').map((w) => w.row));
  }

  async #writeCalls(tx: SqlTransaction): Promise<void> {
    // Only the call events are still to apply, in order; the other inputs do not depend on calls.
    const callEvents = this.#events.filter((e): e is RecordedCallEvent => e.type.startsWith('call.'));
    if (callEvents.length === 0) return;
    const ids = [...new Set(callEvents.map((e) => e.data.sipCallId))];
    const calls = new Map<string, TrackedCall | null>();
    const storedParties = new Map<string, readonly string[]>();
    for (const call of await selectCalls(tx, ids)) {
      calls.set(call.sipCallId, call);
      storedParties.set(call.sipCallId, call.parties);
    }
    for (const event of callEvents) {
      const sipCallId = event.data.sipCallId;
      const { call, joined, left } = evolveTrackedCall(calls.get(sipCallId) ?? null, event);
      calls.set(sipCallId, call);
      for (const user of [...joined, ...left]) this.#touched.touch(user, event);
    }
    const upserts: BulkRow[] = [];
    const deletes: BulkRow[] = [];
    const partyInserts: BulkRow[] = [];
    const partyDeletes: BulkRow[] = [];
    for (const [sipCallId, call] of calls) {
      if (call === null) deletes.push({ sip_call_id: sipCallId });
      else upserts.push({ sip_call_id: sipCallId, caller: call.caller, routed_target: call.routedTarget, answered: call.answered, parked_by: call.parkedBy });
      const before = storedParties.get(sipCallId) ?? [];
      const after = call?.parties ?? [];
      for (const user of before) if (!after.includes(user)) partyDeletes.push({ sip_call_id: sipCallId, sip_uri: user });
      for (const user of after) if (!before.includes(user)) partyInserts.push({ sip_call_id: sipCallId, sip_uri: user });
    }
    await writeBulk(tx, DELETE_CALLS, deletes);
    await writeBulk(tx, UPSERT_CALLS, upserts);
    await writeBulk(tx, DELETE_CALL_PARTIES, partyDeletes);
    await writeBulk(tx, INSERT_CALL_PARTIES, partyInserts);
  }
}

type RecordedCallEvent = Extract<RecordedPresenceEvent, { type: `call.${string}` }>;

function splitKey(key: string, a: string, b: string): BulkRow {
  const at = key.indexOf('\u0000');
  return { [a]: key.slice(0, at), [b]: key.slice(at + 1) };
}

/** Deletes the keys mapped to null, then upserts the rows. */
async function writeRows(
  tx: SqlTransaction,
  rows: ReadonlyMap<string, BulkRow | null>,
  upsert: string,
  remove: string,
  keyRow: (key: string) => BulkRow,
): Promise<void> {
  const deletes: BulkRow[] = [];
  const upserts: BulkRow[] = [];
  for (const [key, row] of rows) {
    if (row === null) deletes.push(keyRow(key));
    else upserts.push(row);
  }
  await writeBulk(tx, remove, deletes);
  await writeBulk(tx, upsert, upserts);
}

/**
 * Re-aggregates every touched user as of the last event that touched them; a
 * user with no inputs left has no row (as the view has no entry).
 * Re-aggregating once per batch gives the same row as once per event: the row
 * depends only on the inputs and the last touching event.
 */
async function writeAggregates(tx: SqlTransaction, touched: Touched): Promise<void> {
  if (touched.size === 0) return;
  const inputsOf = await loadPresenceInputsOf(tx, touched.users());
  const upserts: BulkRow[] = [];
  const deletes: BulkRow[] = [];
  for (const [sipUri, at] of touched.entries()) {
    const inputs = inputsOf.get(sipUri);
    if (!inputs) {
      deletes.push({ sip_uri: sipUri });
      continue;
    }
    const asOf = canonicalInstant(at);
    const p = aggregatePresence(inputs, asOf);
    upserts.push({
      sip_uri: sipUri,
      availability: p.availability,
      code: p.code,
      activity: p.activity,
      note: p.note,
      source: p.source,
      in_call: inputs.calls.size > 0,
      as_of: asOf,
      valid_through: presenceValidThrough(inputs, asOf),
    });
  }
  await writeBulk(tx, DELETE_STATES, deletes);
  await writeBulk(tx, UPSERT_STATES, upserts);
}
