import { ANY, NO_STREAM, STREAM_EXISTS, WrongExpectedVersionError } from '@eventstore/db-client';
import type { AppendExpectedRevision, CurrentRevision } from '@eventstore/db-client';
import { ConcurrencyError } from '../../errors.ts';
import type { ExpectedVersion } from '../../expected-version.ts';

/** Our expected version → ESDB's expected revision (both 0-based: version n is revision n). */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (typeof expected === 'number') return BigInt(expected);
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default: {
      const unreachable: never = expected;
      throw new Error(`unhandled expected version ${String(unreachable)}`);
    }
  }
}

/** ESDB's current revision → our "actual" version: a number, or 'no_stream' for an empty stream. */
export function toActualVersion(current: CurrentRevision): number | 'no_stream' {
  // Some server paths report an empty stream as revision -1 rather than `no_stream`.
  if (current === NO_STREAM || current < 0n) return 'no_stream';
  return toVersion(current);
}

/** A stream revision as a JS number; revisions beyond 2^53 cannot be produced by this log. */
export function toVersion(revision: bigint): number {
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`stream revision ${revision} exceeds 2^53`);
  return Number(revision);
}

/**
 * Translates ESDB's optimistic-concurrency failure into ours, so callers never
 * see library error types. Anything else is returned unchanged.
 */
export function toConcurrencyError(error: unknown, streamId: string, expected: ExpectedVersion): unknown {
  if (error instanceof WrongExpectedVersionError)
    return new ConcurrencyError(streamId, expected, toActualVersion(error.actualVersion));
  return error;
}
