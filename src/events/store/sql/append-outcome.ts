import { z } from 'zod';
import { ConcurrencyError, DuplicateEventIdError } from '../../errors.ts';
import type { AppendResult } from '../../event-store.ts';
import type { PreparedAppend } from './prepared-append.ts';

const Positions = z.array(z.string().regex(/^[1-9][0-9]*$/)).min(1);
const Version = z.number().int().min(0);

/** What `chorus_append_batch` reports for one append of a batch. */
export const AppendOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), positions: Positions, nextVersion: Version }),
  z.object({ status: z.literal('duplicate'), positions: Positions, nextVersion: Version }),
  z.object({ status: z.literal('conflict'), actual: Version.nullable() }),
  z.object({ status: z.literal('id_conflict'), eventId: z.string(), detail: z.string() }),
]);
export type AppendOutcome = z.infer<typeof AppendOutcomeSchema>;

export const BatchOutcomeSchema = z.array(AppendOutcomeSchema);

/** Turns one outcome into the caller's result, or throws the caller's typed error. */
export function settleAppend(append: PreparedAppend, outcome: AppendOutcome): AppendResult {
  switch (outcome.status) {
    case 'ok':
    case 'duplicate': {
      if (outcome.positions.length !== append.eventCount)
        throw new Error(`stream ${append.streamId}: log returned ${outcome.positions.length} positions for ${append.eventCount} events`);
      return {
        streamId: append.streamId,
        nextExpectedVersion: outcome.nextVersion,
        positions: outcome.positions.map((p) => BigInt(p)),
        duplicate: outcome.status === 'duplicate',
      };
    }
    case 'conflict':
      throw new ConcurrencyError(append.streamId, append.expectedVersion, outcome.actual ?? 'no_stream');
    case 'id_conflict':
      throw new DuplicateEventIdError(outcome.eventId, outcome.detail);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown append outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
