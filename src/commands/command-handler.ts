import { v7 as uuidv7 } from 'uuid';
import type { EventShape, NewEvent, NewEventMetadata } from '../events/envelope.ts';
import { ConcurrencyError, InvalidArgumentError, InvalidStreamNameError } from '../events/errors.ts';
import type { AppendResult, EventStore } from '../events/event-store.ts';
import type { ExpectedVersion } from '../events/expected-version.ts';
import { streamCategory } from '../events/stream-name.ts';
import type { AggregateCache } from './aggregate-cache.ts';
import type { CommandShape, DecisionContext, Decider } from './decider.ts';
import { foldStreamFrom, type Folded } from './stream-fold.ts';

/** Metadata the caller knows; `occurredAt` is the decision's instant, stamped here. */
export type CommandMetadata = Omit<NewEventMetadata, 'occurredAt'>;

export interface HandleCommandOptions<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape> {
  readonly store: EventStore<StoreEvent>;
  readonly decider: Decider<C, E, S>;
  readonly streamId: string;
  readonly command: C;
  readonly context: DecisionContext;
  readonly metadata: CommandMetadata;
  /** Ids of the appended events; must be UUIDv7 (the store checks). Default: `uuid`'s v7. */
  readonly newEventId?: () => string;
  /** Decisions tried before a ConcurrencyError is given up to the caller. Default 5. */
  readonly maxAttempts?: number;
  /** The node's aggregate cache (see AggregateCache). Default: none, every command folds the whole stream. */
  readonly cache?: AggregateCache;
}

export interface CommandOutcome<E extends EventShape, S> {
  /** What the decider decided; empty when the command changed nothing. */
  readonly events: readonly E[];
  /** The append's result; null when there was nothing to append. */
  readonly appendResult: AppendResult | null;
  /** The aggregate's state after the events. */
  readonly state: S;
  /** Version of the stream's last event afterwards; null when the stream is still empty. */
  readonly streamVersion: number | null;
  /** 1 unless a concurrent writer (or a stale cache entry) forced a re-read and a new decision. */
  readonly attempts: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Runs one command against one stream: fold it with `evolve`, `decide`, and
 * append with the folded version as the expected version. When another
 * writer got there first (ConcurrencyError) only the events after that
 * version are read and the decision is made again, at most `maxAttempts`
 * times. A DomainError from `decide` is passed on untouched: nothing is written.
 *
 * With a `cache` the fold starts from the cached state instead of the stream's
 * first event. The append's version check makes a stale entry safe; a
 * decision that writes nothing (refusal or empty) on a cached state is
 * confirmed by reading what follows the cached version, and re-made if
 * anything does. The cache learns only folded or committed states.
 */
export async function handleCommand<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape>(
  options: HandleCommandOptions<C, E, S, StoreEvent>,
): Promise<CommandOutcome<E, S>> {
  const { store, decider, streamId, command, context, metadata, cache } = options;
  const newEventId = options.newEventId ?? uuidv7;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new InvalidArgumentError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const category = streamCategory(streamId);
  if (category !== decider.category)
    throw new InvalidStreamNameError(streamId, `is a ${category} stream; this command is for ${decider.category} streams`);

  const catchUp = async (from: Folded<S>): Promise<Folded<S>> => {
    const caughtUp = await foldStreamFrom(store, decider, streamId, from);
    cache?.remember(streamId, decider.evolve, caughtUp);
    return caughtUp;
  };
  const cached = cache?.get(streamId, decider.evolve);
  // Whether the state was read from the log during this call rather than taken on trust from the cache.
  let fresh = cached === undefined;
  let folded = cached ?? (await catchUp({ state: decider.initialState(), version: null }));

  for (let attempt = 1; ; attempt++) {
    const { state, version } = folded;
    // One instant per decision: every `now()` in decide and the events' occurredAt agree.
    const at = context.now();
    let events: readonly E[];
    try {
      events = decider.decide(command, state, { now: () => at, newId: context.newId });
    } catch (error) {
      if (fresh) throw error;
      // Refused on a cached state: only the log may refuse, so re-decide if the stream moved on.
      folded = await catchUp(folded);
      fresh = true;
      if (folded.version === version) throw error;
      continue;
    }
    const after = events.reduce(decider.evolve, state);
    if (events.length === 0) {
      if (!fresh) {
        // "Nothing to do" on a cached state is confirmed the same way as a refusal.
        folded = await catchUp(folded);
        fresh = true;
        if (folded.version !== version) continue;
      }
      return { events, appendResult: null, state: after, streamVersion: version, attempts: attempt };
    }

    const eventMetadata: NewEventMetadata = { ...metadata, occurredAt: at };
    // E is a member set of StoreEvent, so each event is a StoreEvent; TS cannot see through NewEvent's distribution.
    const toAppend = events.map((e) => ({ type: e.type, data: e.data, id: newEventId(), metadata: eventMetadata })) as
      unknown as NewEvent<StoreEvent>[];
    const expectedVersion: ExpectedVersion = version ?? 'no_stream';
    let appendResult: AppendResult;
    try {
      appendResult = await store.append(streamId, toAppend, { expectedVersion });
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) {
        // Whether it was written is unknown (a lost acknowledgement): the entry is no longer trusted.
        cache?.forget(streamId);
        throw error;
      }
      if (attempt >= maxAttempts) throw error;
      folded = await catchUp(folded);
      fresh = true;
      continue;
    }
    cache?.remember(streamId, decider.evolve, { state: after, version: appendResult.nextExpectedVersion });
    return { events, appendResult, state: after, streamVersion: appendResult.nextExpectedVersion, attempts: attempt };
  }
}
