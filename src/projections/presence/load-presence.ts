import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { aggregatePresence } from './aggregate-presence.ts';
import type { AggregatedPresence, PresenceInputs } from './presence-inputs.ts';
import { UNKNOWN_USER_PRESENCE } from './presence-reader.ts';
import {
  selectBlocks,
  selectCallParties,
  selectCalls,
  selectEndpoints,
  selectPublications,
  selectUserStates,
  selectWatchers,
  type UserFilter,
} from './presence-tables.ts';
import { emptyPresenceViewState, presenceRecord, watchersOf, type PresenceRecord, type PresenceViewState } from './presence-view-state.ts';

const REPEATABLE_READ = /* sql */ `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`;

/**
 * The presence view's state from the projection's tables: the `load` of
 * `seedFromSqlProjection(client, 'presence', loadPresenceViewState)`. It
 * builds exactly what `applyPresenceEvent` builds: an entry per user with any
 * input row, the calls not yet ended, the watchers and the block lists.
 */
export async function loadPresenceViewState(tx: SqlTransaction): Promise<PresenceViewState> {
  const state = emptyPresenceViewState();
  await loadInputs(tx, (sipUri) => presenceRecord(state, sipUri));
  for (const call of await selectCalls(tx)) state.calls.set(call.sipCallId, call);
  for (const { sipUri, watcher } of await selectWatchers(tx)) watchersOf(state, sipUri).set(watcher.subscriptionId, watcher);
  for (const { sipUri, blocked } of await selectBlocks(tx)) state.blocks.set(sipUri, blocked);
  return state;
}

/** One user's aggregation inputs from the tables, or null when there are none. */
export async function loadPresenceInputs(tx: SqlTransaction, sipUri: string): Promise<PresenceInputs | null> {
  const state = emptyPresenceViewState();
  await loadInputs(tx, (uri) => presenceRecord(state, uri), sipUri);
  return state.users.get(sipUri) ?? null;
}

/** Several users' aggregation inputs in four reads; users with no rows are absent from the map. */
export async function loadPresenceInputsOf(tx: SqlTransaction, sipUris: readonly string[]): Promise<ReadonlyMap<string, PresenceInputs>> {
  const state = emptyPresenceViewState();
  if (sipUris.length > 0) await loadInputs(tx, (uri) => presenceRecord(state, uri), sipUris);
  return state.users;
}

/** For SQL readers (HTTP API, CLI): a user's presence at `now`, aggregated as the view would. */
export async function readPresenceFromSql(client: SqlClient, sipUri: string, now: string): Promise<AggregatedPresence> {
  const inputs = await client.transaction(async (tx) => {
    // One snapshot for the four reads, as seedFromSqlProjection does.
    if (tx.dialect === 'postgres') await tx.query(REPEATABLE_READ);
    return loadPresenceInputs(tx, sipUri);
  });
  return inputs ? aggregatePresence(inputs, now) : UNKNOWN_USER_PRESENCE;
}

async function loadInputs(tx: SqlTransaction, record: (sipUri: string) => PresenceRecord, sipUri?: UserFilter): Promise<void> {
  for (const e of await selectEndpoints(tx, sipUri)) record(e.sipUri).endpoints.set(e.endpointId, e.expiresAt);
  for (const p of await selectPublications(tx, sipUri)) record(p.sipUri).publications.set(p.publication.endpointId, p.publication);
  for (const s of await selectUserStates(tx, sipUri)) record(s.sipUri).userState = s.userState;
  for (const c of await selectCallParties(tx, sipUri)) record(c.sipUri).calls.add(c.sipCallId);
}
