import { v7 as uuidv7 } from 'uuid';
import type { EventShape, NewEvent, NewEventMetadata } from '../events/envelope.ts';
import { ConcurrencyError, InvalidArgumentError, InvalidStreamNameError } from '../events/errors.ts';
import type { AppendResult, EventStore } from '../events/event-store.ts';
import type { ExpectedVersion } from '../events/expected-version.ts';
import { streamCategory } from '../events/stream-name.ts';
import { CorruptStreamError } from './corrupt-stream-error.ts';
import { isEventOf, type CommandShape, type DecisionContext, type Decider } from './decider.ts';

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
  /** 1 unless a concurrent writer forced a re-read and a new decision. */
  readonly attempts: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
/** Page size for reading a stream back; the store's default and a sane batch. */
const READ_PAGE = 1_000;

interface Folded<S> {
  readonly state: S;
  readonly version: number | null;
}

async function foldStream<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape>(
  store: EventStore<StoreEvent>,
  decider: Decider<C, E, S>,
  streamId: string,
): Promise<Folded<S>> {
  let state = decider.initialState();
  let version: number | null = null;
  for (;;) {
    const page = await store.readStream(streamId, { fromVersion: version === null ? 0 : version + 1, limit: READ_PAGE });
    for (const event of page) {
      if (!isEventOf<E>(decider, event))
        throw new CorruptStreamError(streamId, event.streamVersion, event.type, decider.category);
      state = decider.evolve(state, event);
      version = event.streamVersion;
    }
    if (page.length < READ_PAGE) return { state, version };
  }
}

/**
 * Runs one command against one stream: read it back, fold it with `evolve`,
 * `decide`, and append with the version that was read as the expected
 * version. When another writer got there first (ConcurrencyError) the whole
 * decision is made again on the new history, at most `maxAttempts` times.
 * A DomainError from `decide` is passed on untouched: nothing is written.
 */
export async function handleCommand<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape>(
  options: HandleCommandOptions<C, E, S, StoreEvent>,
): Promise<CommandOutcome<E, S>> {
  const { store, decider, streamId, command, context, metadata } = options;
  const newEventId = options.newEventId ?? uuidv7;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new InvalidArgumentError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const category = streamCategory(streamId);
  if (category !== decider.category)
    throw new InvalidStreamNameError(streamId, `is a ${category} stream; this command is for ${decider.category} streams`);

  for (let attempt = 1; ; attempt++) {
    const { state, version } = await foldStream(store, decider, streamId);
    // One instant per decision: every `now()` in decide and the events' occurredAt agree.
    const at = context.now();
    const events = decider.decide(command, state, { now: () => at, newId: context.newId });
    const after = events.reduce(decider.evolve, state);
    if (events.length === 0) return { events, appendResult: null, state: after, streamVersion: version, attempts: attempt };

    const eventMetadata: NewEventMetadata = { ...metadata, occurredAt: at };
    // E is a member set of StoreEvent, so each event is a StoreEvent; TS cannot see through NewEvent's distribution.
    const toAppend = events.map((e) => ({ type: e.type, data: e.data, id: newEventId(), metadata: eventMetadata })) as
      unknown as NewEvent<StoreEvent>[];
    const expectedVersion: ExpectedVersion = version ?? 'no_stream';
    try {
      const appendResult = await store.append(streamId, toAppend, { expectedVersion });
      return { events, appendResult, state: after, streamVersion: appendResult.nextExpectedVersion, attempts: attempt };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
    }
  }
}
