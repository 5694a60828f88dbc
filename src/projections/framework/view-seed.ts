import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { ProjectionNotReadyError } from './errors.ts';
import { readCheckpoint } from './projection-checkpoints.ts';

/** Where an in-memory view starts: a state and the global position it reflects. */
export interface ViewSnapshot<S> {
  readonly state: S;
  readonly position: bigint;
}

/**
 * How a view gets its starting state. The view then subscribes strictly after
 * the snapshot's position, so the snapshot must be exactly the effect of the
 * log up to that position: no more, no less.
 */
export type ViewSeed<S> = () => Promise<ViewSnapshot<S>>;

/** The simple, always-correct seed: an empty state at position 0, so the view replays the whole log. */
export function replayFromStart<S>(initialState: () => S): ViewSeed<S> {
  return async () => ({ state: initialState(), position: 0n });
}

// On PostgreSQL each statement of a READ COMMITTED transaction sees its own
// snapshot; REPEATABLE READ makes the checkpoint and the rows one snapshot.
const REPEATABLE_READ = 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ';

/**
 * Seeds a view from a SQL projection's tables: reads the checkpoint and the
 * rows in one snapshot, so the state and position agree, and the view
 * continues from there instead of replaying the log. Refuses a projection that
 * is not `active` (rebuilding or failed tables are not the log's effect).
 * `load` must build exactly the state the view's own `apply` would have built.
 */
export function seedFromSqlProjection<S>(
  client: SqlClient,
  projection: string,
  load: (tx: SqlTransaction) => Promise<S>,
): ViewSeed<S> {
  return () =>
    client.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query(REPEATABLE_READ);
      const checkpoint = await readCheckpoint(tx, projection);
      if (!checkpoint) throw new ProjectionNotReadyError(projection, 'it has no checkpoint (never started)');
      if (checkpoint.status !== 'active') throw new ProjectionNotReadyError(projection, `it is ${checkpoint.status}`);
      return { state: await load(tx), position: checkpoint.position };
    });
}
