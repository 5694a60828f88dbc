import type { CallRoute } from '../../events/domain/call-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { bulkDeleteSql, bulkUpsertSql, defineSqlProjection, writeBulk, type BulkTable } from '../framework/index.ts';

/**
 * Calls in progress (`call-<Call-ID>` streams), one row per call until its
 * `call.ended.v1` deletes it. `state` folds the decider's finer statuses into
 * what an operator asks about: `initiated` covers a call still looking for its
 * (next) destination (initiated, routed, forwarded, transferred).
 */
export const ACTIVE_CALLS_TABLES = ['active_calls'] as const;

const CREATE_ACTIVE_CALLS = /* sql */ `
CREATE TABLE active_calls (
  sip_call_id       text        PRIMARY KEY,
  state             text        NOT NULL CHECK (state IN ('initiated', 'ringing', 'answered', 'held', 'parked')),
  caller            text        NOT NULL,
  dialled_string    text        NOT NULL,
  normalized_number text,
  -- Where the call is headed: the route's user or number, or the forward/transfer target awaiting a route.
  target            text,
  route_kind        text        CHECK (route_kind IN ('user', 'pstn')),
  contacts          text[],
  pstn_route        text,
  gateway           text,
  voice_policy      text,
  pstn_usage        text,
  answered_contact  text,
  park_orbit        text,
  started_at        timestamptz NOT NULL,
  answered_at       timestamptz,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX active_calls_started ON active_calls (started_at, sip_call_id);`;

const ACTIVE_CALLS: BulkTable = {
  name: 'active_calls',
  columns: {
    sip_call_id: 'text',
    state: 'text',
    caller: 'text',
    dialled_string: 'text',
    normalized_number: 'text',
    target: 'text',
    route_kind: 'text',
    contacts: 'text[]',
    pstn_route: 'text',
    gateway: 'text',
    voice_policy: 'text',
    pstn_usage: 'text',
    answered_contact: 'text',
    park_orbit: 'text',
    started_at: 'timestamptz',
    answered_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  key: ['sip_call_id'],
};

// Instants are read as text and written back as text: the round trip is exact whatever their precision.
const SELECT_CALLS = /* sql */ `
SELECT sip_call_id, state, caller, dialled_string, normalized_number, target, route_kind, contacts, pstn_route, gateway,
       voice_policy, pstn_usage, answered_contact, park_orbit,
       started_at::text AS started_at, answered_at::text AS answered_at, updated_at::text AS updated_at
FROM active_calls WHERE sip_call_id = ANY($1::text[])`;

const UPSERT_CALLS = bulkUpsertSql(ACTIVE_CALLS);
const DELETE_CALLS = bulkDeleteSql(ACTIVE_CALLS);

type Row = Record<string, unknown>;

/** The route's columns. */
function routeColumns(route: CallRoute): Row {
  switch (route.kind) {
    case 'user':
      return { target: route.target, route_kind: 'user', contacts: route.contacts, pstn_route: null, gateway: null, voice_policy: null, pstn_usage: null };
    case 'pstn':
      return {
        target: route.number,
        route_kind: 'pstn',
        contacts: null,
        pstn_route: route.routeName,
        gateway: route.gateway,
        voice_policy: route.voicePolicy,
        pstn_usage: route.pstnUsage,
      };
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Forward and transfer: the call has a new target and no route to it yet. */
const NO_ROUTE: Row = { route_kind: null, contacts: null, pstn_route: null, gateway: null, voice_policy: null, pstn_usage: null };

type ActiveCallEventType =
  | 'call.initiated.v1'
  | 'call.routed.v1'
  | 'call.ringing.v1'
  | 'call.leg_added.v1'
  | 'call.answered.v1'
  | 'call.forwarded.v1'
  | 'call.transferred.v1'
  | 'call.held.v1'
  | 'call.resumed.v1'
  | 'call.parked.v1'
  | 'call.retrieved.v1'
  | 'call.ended.v1';

export const activeCallsProjection = defineSqlProjection<DomainEvent, ActiveCallEventType>({
  name: 'active_calls',
  version: 1,
  tables: ACTIVE_CALLS_TABLES,
  schema: CREATE_ACTIVE_CALLS,
  canHandle: [
    'call.initiated.v1',
    'call.routed.v1',
    'call.ringing.v1',
    'call.leg_added.v1',
    'call.answered.v1',
    'call.forwarded.v1',
    'call.transferred.v1',
    'call.held.v1',
    'call.resumed.v1',
    'call.parked.v1',
    'call.retrieved.v1',
    'call.ended.v1',
  ],
  async handle(events, tx) {
    // The batch is folded in memory: the rows of the calls it names are read
    // once, changed event by event, and written back with one upsert and one delete.
    const ids = [...new Set(events.map((e) => e.data.sipCallId))];
    const calls = new Map<string, Row | null>();
    for (const row of (await tx.query<Row>(SELECT_CALLS, [ids])).rows) calls.set(String(row['sip_call_id']), row);
    const changed = new Set<string>();
    for (const e of events) {
      const { sipCallId: id, at } = e.data;
      changed.add(id);
      if (e.type === 'call.initiated.v1') {
        if (calls.get(id)) throw new Error(`active_calls: ${e.type} for call ${id}, which is already in progress`);
        calls.set(id, {
          sip_call_id: id,
          state: 'initiated',
          caller: e.data.caller,
          dialled_string: e.data.dialledString,
          normalized_number: e.data.normalizedNumber,
          target: null,
          ...NO_ROUTE,
          answered_contact: null,
          park_orbit: null,
          started_at: at,
          answered_at: null,
          updated_at: at,
        });
        continue;
      }
      // Every call event after `initiated` must find its row; a miss means the log is corrupt, so the batch fails.
      const row = calls.get(id);
      if (!row) throw new Error(`active_calls: ${e.type} for call ${id}, which is not in progress`);
      switch (e.type) {
        case 'call.routed.v1':
          Object.assign(row, routeColumns(e.data.route), { updated_at: at });
          break;
        case 'call.ringing.v1':
          Object.assign(row, { state: 'ringing', updated_at: at });
          break;
        case 'call.leg_added.v1':
          // A team member's or delegate's phones ring too: they join the contacts being rung.
          Object.assign(row, { contacts: [...((row['contacts'] as string[] | null) ?? []), ...e.data.contacts], updated_at: at });
          break;
        case 'call.answered.v1':
          // A transferred call answered again keeps its first answer time: its duration does not restart.
          Object.assign(row, { state: 'answered', answered_at: row['answered_at'] ?? at, answered_contact: e.data.contact, updated_at: at });
          break;
        case 'call.forwarded.v1':
        case 'call.transferred.v1':
          Object.assign(row, NO_ROUTE, { state: 'initiated', target: e.data.to, updated_at: at });
          break;
        case 'call.held.v1':
          Object.assign(row, { state: 'held', updated_at: at });
          break;
        case 'call.resumed.v1':
          Object.assign(row, { state: 'answered', updated_at: at });
          break;
        case 'call.parked.v1':
          Object.assign(row, { state: 'parked', park_orbit: e.data.orbit, updated_at: at });
          break;
        case 'call.retrieved.v1':
          Object.assign(row, { state: 'answered', park_orbit: null, updated_at: at });
          break;
        case 'call.ended.v1':
          calls.set(id, null);
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`active_calls: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
    const upserts: Row[] = [];
    const deletes: Row[] = [];
    for (const id of changed) {
      const row = calls.get(id);
      if (row) upserts.push(row);
      else deletes.push({ sip_call_id: id });
    }
    await writeBulk(tx, DELETE_CALLS, deletes);
    await writeBulk(tx, UPSERT_CALLS, upserts);
  },
});
