import type { CallRoute } from '../../events/domain/call-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';

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

const INSERT_CALL = /* sql */ `
INSERT INTO active_calls (sip_call_id, state, caller, dialled_string, normalized_number, started_at, updated_at)
VALUES ($1, 'initiated', $2, $3, $4, $5, $5)`;

const SET_ROUTE = /* sql */ `
UPDATE active_calls
SET target = $2, route_kind = $3, contacts = $4, pstn_route = $5, gateway = $6, voice_policy = $7, pstn_usage = $8,
    updated_at = $9
WHERE sip_call_id = $1
RETURNING sip_call_id`;

/** Forward and transfer: the call has a new target and no route to it yet. */
const REDIRECT = /* sql */ `
UPDATE active_calls
SET state = 'initiated', target = $2, route_kind = NULL, contacts = NULL, pstn_route = NULL, gateway = NULL,
    voice_policy = NULL, pstn_usage = NULL, updated_at = $3
WHERE sip_call_id = $1
RETURNING sip_call_id`;

const SET_STATE = /* sql */ `
UPDATE active_calls SET state = $2, updated_at = $3 WHERE sip_call_id = $1 RETURNING sip_call_id`;

/** A transferred call answered again keeps its first answer time: its duration does not restart. */
const ANSWER = /* sql */ `
UPDATE active_calls
SET state = 'answered', answered_at = COALESCE(answered_at, $2), answered_contact = $3, updated_at = $2
WHERE sip_call_id = $1
RETURNING sip_call_id`;

const SET_PARKED = /* sql */ `
UPDATE active_calls SET state = $2, park_orbit = $3, updated_at = $4 WHERE sip_call_id = $1 RETURNING sip_call_id`;

const DELETE_CALL = /* sql */ `DELETE FROM active_calls WHERE sip_call_id = $1 RETURNING sip_call_id`;

/** The route's columns, in SET_ROUTE's order ($2…$8). */
function routeColumns(route: CallRoute): unknown[] {
  switch (route.kind) {
    case 'user':
      return [route.target, 'user', route.contacts, null, null, null, null];
    case 'pstn':
      return [route.number, 'pstn', null, route.routeName, route.gateway, route.voicePolicy, route.pstnUsage];
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Every call event after `initiated` must find its row; a miss means the log is corrupt, so the batch fails. */
async function updateCall(tx: SqlTransaction, sql: string, params: readonly unknown[], type: string): Promise<void> {
  const { rows } = await tx.query(sql, params);
  if (rows.length !== 1) throw new Error(`active_calls: ${type} for call ${String(params[0])}, which is not in progress`);
}

type ActiveCallEventType =
  | 'call.initiated.v1'
  | 'call.routed.v1'
  | 'call.ringing.v1'
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
    for (const e of events) {
      const { sipCallId: id, at } = e.data;
      switch (e.type) {
        case 'call.initiated.v1':
          await tx.query(INSERT_CALL, [id, e.data.caller, e.data.dialledString, e.data.normalizedNumber, at]);
          break;
        case 'call.routed.v1':
          await updateCall(tx, SET_ROUTE, [id, ...routeColumns(e.data.route), at], e.type);
          break;
        case 'call.ringing.v1':
          await updateCall(tx, SET_STATE, [id, 'ringing', at], e.type);
          break;
        case 'call.answered.v1':
          await updateCall(tx, ANSWER, [id, at, e.data.contact], e.type);
          break;
        case 'call.forwarded.v1':
        case 'call.transferred.v1':
          await updateCall(tx, REDIRECT, [id, e.data.to, at], e.type);
          break;
        case 'call.held.v1':
          await updateCall(tx, SET_STATE, [id, 'held', at], e.type);
          break;
        case 'call.resumed.v1':
          await updateCall(tx, SET_STATE, [id, 'answered', at], e.type);
          break;
        case 'call.parked.v1':
          await updateCall(tx, SET_PARKED, [id, 'parked', e.data.orbit, at], e.type);
          break;
        case 'call.retrieved.v1':
          await updateCall(tx, SET_PARKED, [id, 'answered', null, at], e.type);
          break;
        case 'call.ended.v1':
          await updateCall(tx, DELETE_CALL, [id], e.type);
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`active_calls: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
  },
});
