import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import { ProjectionConflictError } from '../../projections/framework/errors.ts';
import { advanceCheckpoint, lockCheckpoint } from '../../projections/framework/projection-checkpoints.ts';
import type { SqlProjection } from '../../projections/framework/sql-projection.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { SELECT_STREAM_VERSIONS, StreamVersionRow, UPSERT_STREAM_VERSIONS, lockOwner } from './pool-projection-state.ts';

export interface GuardedBatchResult {
  /** Events handed to the projection. */
  readonly applied: number;
  /** Handled types the guard found already applied (redeliveries). */
  readonly skipped: number;
  /** The projection's checkpoint after the batch (highest global position seen). */
  readonly position: bigint;
}

/**
 * Applies one batch of messages to a projection in ONE transaction: lock the
 * Pool's owner row (the epoch must still be ours) and the checkpoint row (two
 * workers of one projection, e.g. across a rebalance, serialise here), read
 * the stream guards, hand the projection only the events whose stream version
 * is above its stream's guard, move the guards and the checkpoint. Committed
 * together or not at all, so Kafka offsets may lag the read model (they are
 * committed after this) but the read model never applies an event twice.
 */
export async function applyGuardedBatch<E extends EventShape>(
  client: SqlClient,
  projection: SqlProjection<E>,
  epoch: number,
  events: readonly RecordedEvent<E>[],
): Promise<GuardedBatchResult> {
  const { name, version } = projection;
  const handles = projection.canHandle ? new Set<string>(projection.canHandle) : null;
  return client.transaction(async (tx) => {
    const owner = await lockOwner(tx, name);
    if (!owner || owner.epoch !== epoch || owner.version !== version)
      throw new ProjectionConflictError(
        name,
        `the Pool rebuilt it (epoch ${owner?.epoch ?? 'none'}, version ${owner?.version ?? 'none'}; this worker: epoch ${epoch}, version ${version})`,
      );
    const checkpoint = await lockCheckpoint(tx, name);
    if (!checkpoint) throw new ProjectionConflictError(name, 'its checkpoint row was deleted');
    if (checkpoint.version !== version)
      throw new ProjectionConflictError(name, `the checkpoint belongs to version ${checkpoint.version}, this worker is version ${version}`);

    const handled = handles === null ? events : events.filter((e) => handles.has(e.type));
    const guards = new Map<string, number>();
    if (handled.length > 0) {
      const streams = [...new Set(handled.map((e) => e.streamId))];
      for (const row of (await tx.query(SELECT_STREAM_VERSIONS, [name, streams])).rows) {
        const { stream_id, version: v } = StreamVersionRow.parse(row);
        guards.set(stream_id, v);
      }
    }
    const moved = new Map<string, number>();
    const fresh: RecordedEvent<E>[] = [];
    for (const e of handled) {
      const guard = moved.get(e.streamId) ?? guards.get(e.streamId) ?? -1;
      if (e.streamVersion <= guard) continue;
      fresh.push(e);
      moved.set(e.streamId, e.streamVersion);
    }
    if (fresh.length > 0) {
      await projection.handle(fresh, tx);
      await tx.query(UPSERT_STREAM_VERSIONS, [name, [...moved.keys()], [...moved.values()]]);
    }
    let position = checkpoint.position;
    for (const e of events) if (e.globalPosition > position) position = e.globalPosition;
    await advanceCheckpoint(tx, name, position, 'active');
    return { applied: fresh.length, skipped: handled.length - fresh.length, position };
  });
}
