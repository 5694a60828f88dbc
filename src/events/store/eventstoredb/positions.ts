import { START } from '@eventstore/db-client';
import type { Position, ReadPosition } from '@eventstore/db-client';
import { InvalidArgumentError } from '../../errors.ts';

/**
 * ESDB reports "no position" as the all-ones uint64 (older servers do so for
 * events read from a stream rather than from $all).
 */
const NO_POSITION = 2n ** 64n - 1n;

/**
 * Our global position is ESDB's commit position. For every event written
 * through gRPC (one implicitly committed prepare per event) commit and prepare
 * are the same log offset, so the commit position alone is unique per event and
 * strictly increasing in $all order. It is a byte offset in the transaction
 * file: increasing, never dense (the first event is not at 1).
 *
 * Returns null when the server sent no usable position.
 */
export function toGlobalPosition(position: Position | undefined): bigint | null {
  if (!position) return null;
  if (position.commit < 0n || position.commit >= NO_POSITION) return null;
  return position.commit;
}

/** The ESDB position that corresponds to one of our global positions. */
export function toEsdbPosition(globalPosition: bigint): Position {
  return { commit: globalPosition, prepare: globalPosition };
}

/**
 * Where to start reading $all to get the events strictly after `after`.
 * ESDB reads $all *inclusively* from a position, so the caller must still drop
 * every event at or below `after` (see `isAfter`); 0n means "from the start".
 * `after` must be 0n or a position this store returned: ESDB can only seek to
 * record boundaries.
 */
export function readFromAfter(after: bigint): ReadPosition {
  if (after < 0n) throw new InvalidArgumentError(`after must be >= 0, got ${after}`);
  return after === 0n ? START : toEsdbPosition(after);
}

/** The filter every $all reader applies: a position must be strictly beyond the checkpoint. */
export function isAfter(globalPosition: bigint, after: bigint): boolean {
  return globalPosition > after;
}
