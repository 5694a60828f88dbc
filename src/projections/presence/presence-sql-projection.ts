import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';
import { aggregatePresence, presenceValidThrough } from './aggregate-presence.ts';
import { evolveTrackedCall, type TrackedCall } from './call-parties.ts';
import { canonicalInstant } from './instants.ts';
import { loadPresenceInputs } from './load-presence.ts';
import { PRESENCE_EVENT_TYPES, type PresenceEventType, type RecordedPresenceEvent } from './presence-event-types.ts';
import { PRESENCE_SCHEMA, PRESENCE_TABLES, selectCalls } from './presence-tables.ts';

export const PRESENCE_PROJECTION_NAME = 'presence';

const UPSERT_ENDPOINT = /* sql */ `
INSERT INTO presence_endpoints (sip_uri, endpoint_id, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (sip_uri, endpoint_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`;
const DELETE_ENDPOINT = /* sql */ `DELETE FROM presence_endpoints WHERE sip_uri = $1 AND endpoint_id = $2`;

const UPSERT_PUBLICATION = /* sql */ `
INSERT INTO presence_publications (sip_uri, endpoint_id, availability, code, activity, note, etag, expires_at, published_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (sip_uri, endpoint_id) DO UPDATE SET
  availability = EXCLUDED.availability, code = EXCLUDED.code, activity = EXCLUDED.activity, note = EXCLUDED.note,
  etag = EXCLUDED.etag, expires_at = EXCLUDED.expires_at, published_at = EXCLUDED.published_at`;
const DELETE_PUBLICATION = /* sql */ `DELETE FROM presence_publications WHERE sip_uri = $1 AND endpoint_id = $2`;

const UPSERT_USER_STATE = /* sql */ `
INSERT INTO presence_user_states (sip_uri, availability, code, note, until, set_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sip_uri) DO UPDATE SET
  availability = EXCLUDED.availability, code = EXCLUDED.code, note = EXCLUDED.note, until = EXCLUDED.until, set_at = EXCLUDED.set_at`;
const DELETE_USER_STATE = /* sql */ `DELETE FROM presence_user_states WHERE sip_uri = $1`;

// A refresh keeps the first subscription instant.
const UPSERT_WATCHER = /* sql */ `
INSERT INTO presence_watchers (sip_uri, subscription_id, watcher_uri, expires_at, subscribed_at, refreshed_at)
VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (sip_uri, subscription_id) DO UPDATE SET
  watcher_uri = EXCLUDED.watcher_uri, expires_at = EXCLUDED.expires_at, refreshed_at = EXCLUDED.refreshed_at`;
const DELETE_WATCHER = /* sql */ `DELETE FROM presence_watchers WHERE sip_uri = $1 AND subscription_id = $2`;

const UPSERT_CALL = /* sql */ `
INSERT INTO presence_calls (sip_call_id, caller, routed_target, answered, parked_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (sip_call_id) DO UPDATE SET
  caller = EXCLUDED.caller, routed_target = EXCLUDED.routed_target, answered = EXCLUDED.answered, parked_by = EXCLUDED.parked_by`;
const DELETE_CALL = /* sql */ `DELETE FROM presence_calls WHERE sip_call_id = $1`;
const INSERT_CALL_PARTY = /* sql */ `INSERT INTO presence_call_parties (sip_call_id, sip_uri) VALUES ($1, $2)`;
const DELETE_CALL_PARTY = /* sql */ `DELETE FROM presence_call_parties WHERE sip_call_id = $1 AND sip_uri = $2`;

const UPSERT_STATE = /* sql */ `
INSERT INTO presence_states (sip_uri, availability, code, activity, note, source, in_call, as_of, valid_through)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (sip_uri) DO UPDATE SET
  availability = EXCLUDED.availability, code = EXCLUDED.code, activity = EXCLUDED.activity, note = EXCLUDED.note,
  source = EXCLUDED.source, in_call = EXCLUDED.in_call, as_of = EXCLUDED.as_of, valid_through = EXCLUDED.valid_through`;
const DELETE_STATE = /* sql */ `DELETE FROM presence_states WHERE sip_uri = $1`;

// Deprovisioning: the user's rows everywhere, including their own subscriptions and call seats.
const DEPROVISION = [
  /* sql */ `DELETE FROM presence_endpoints WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_publications WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_user_states WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_call_parties WHERE sip_uri = $1`,
  /* sql */ `DELETE FROM presence_watchers WHERE sip_uri = $1 OR watcher_uri = $1`,
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
  version: 1,
  tables: PRESENCE_TABLES,
  schema: PRESENCE_SCHEMA,
  canHandle: PRESENCE_EVENT_TYPES,
  async handle(events, tx) {
    // user → `at` of the last event of the batch that touched their inputs.
    const touched = new Map<string, string>();
    for (const event of events) {
      for (const user of await applyToTables(tx, event)) touched.set(user, event.data.at);
    }
    for (const [sipUri, at] of touched) await writeAggregate(tx, sipUri, at);
  },
});

/** Writes one event's input rows; returns the users whose presence inputs it touched. */
async function applyToTables(tx: SqlTransaction, event: RecordedPresenceEvent): Promise<readonly string[]> {
  switch (event.type) {
    case 'presence.published.v1': {
      const d = event.data;
      await tx.query(UPSERT_PUBLICATION, [d.sipUri, d.endpointId, d.availability, d.code, d.activity, d.note, d.etag, d.expiresAt, d.at]);
      return [d.sipUri];
    }
    case 'presence.withdrawn.v1':
    case 'presence.expired.v1':
      await tx.query(DELETE_PUBLICATION, [event.data.sipUri, event.data.endpointId]);
      return [event.data.sipUri];
    case 'presence.user_state_set.v1': {
      const d = event.data;
      await tx.query(UPSERT_USER_STATE, [d.sipUri, d.availability, d.code, d.note, d.until, d.at]);
      return [d.sipUri];
    }
    case 'presence.user_state_cleared.v1':
      await tx.query(DELETE_USER_STATE, [event.data.sipUri]);
      return [event.data.sipUri];
    case 'presence.watcher_subscribed.v1': {
      const d = event.data;
      await tx.query(UPSERT_WATCHER, [d.sipUri, d.subscriptionId, d.watcherUri, d.expiresAt, d.at]);
      return [];
    }
    case 'presence.watcher_unsubscribed.v1':
      await tx.query(DELETE_WATCHER, [event.data.sipUri, event.data.subscriptionId]);
      return [];
    case 'endpoint.registered.v1':
    case 'endpoint.refreshed.v1':
      await tx.query(UPSERT_ENDPOINT, [event.data.sipUri, event.data.endpointId, event.data.expiresAt]);
      return [event.data.sipUri];
    case 'endpoint.unregistered.v1':
    case 'endpoint.expired.v1':
      await tx.query(DELETE_ENDPOINT, [event.data.sipUri, event.data.endpointId]);
      return [event.data.sipUri];
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
    case 'call.ended.v1': {
      const sipCallId = event.data.sipCallId;
      const [current] = await selectCalls(tx, sipCallId);
      const { call, joined, left } = evolveTrackedCall(current ?? null, event);
      await writeCall(tx, sipCallId, call);
      for (const user of left) await tx.query(DELETE_CALL_PARTY, [sipCallId, user]);
      for (const user of joined) await tx.query(INSERT_CALL_PARTY, [sipCallId, user]);
      return [...joined, ...left];
    }
    case 'directory.user_deprovisioned.v1':
      for (const statement of DEPROVISION) await tx.query(statement, [event.data.sipUri]);
      return [event.data.sipUri];
    default: {
      const unreachable: never = event;
      throw new Error(`presence projection cannot apply ${String(unreachable)}`);
    }
  }
}

async function writeCall(tx: SqlTransaction, sipCallId: string, call: TrackedCall | null): Promise<void> {
  if (call === null) {
    await tx.query(DELETE_CALL, [sipCallId]);
    return;
  }
  await tx.query(UPSERT_CALL, [sipCallId, call.caller, call.routedTarget, call.answered, call.parkedBy]);
}

/** Re-aggregates one user as of `at`; a user with no inputs left has no row (as the view has no entry). */
async function writeAggregate(tx: SqlTransaction, sipUri: string, at: string): Promise<void> {
  const inputs = await loadPresenceInputs(tx, sipUri);
  if (!inputs) {
    await tx.query(DELETE_STATE, [sipUri]);
    return;
  }
  const asOf = canonicalInstant(at);
  const p = aggregatePresence(inputs, asOf);
  await tx.query(UPSERT_STATE, [
    sipUri,
    p.availability,
    p.code,
    p.activity,
    p.note,
    p.source,
    inputs.calls.size > 0,
    asOf,
    presenceValidThrough(inputs, asOf),
  ]);
}
