import type { EventShape, NewEvent, RecordedEvent } from './envelope.ts';
import type { ExpectedVersion } from './expected-version.ts';

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
}

export interface AppendResult {
  readonly streamId: string;
  /** Version of the stream's last event after the append. */
  readonly nextExpectedVersion: number;
  /** Global position of each appended event, in order. */
  readonly positions: readonly bigint[];
  /** True when every event id was already in the log with the same content: nothing was written. */
  readonly duplicate: boolean;
}

export interface ReadStreamOptions {
  /** Default `forward`. */
  readonly direction?: 'forward' | 'backward';
  /** First version to return (inclusive). Default: 0 forward, the last event backward. */
  readonly fromVersion?: number;
  /** Default 1,000; at most 10,000. */
  readonly limit?: number;
}

export interface ReadAllFilter {
  /** Keep events whose type starts with one of these, e.g. `presence.` */
  readonly typePrefixes?: readonly string[];
  /** Keep events whose stream category (`user` in `user-alice@example.test`) is one of these. */
  readonly categories?: readonly string[];
}

export interface ReadAllOptions {
  /** Return events strictly after this global position. Default 0n (from the start). */
  readonly after?: bigint;
  /** Default 1,000; at most 10,000. */
  readonly limit?: number;
  readonly filter?: ReadAllFilter;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this checkpoint (0n: from the start). */
  readonly after: bigint;
  readonly filter?: ReadAllFilter;
  /** Most events handed to one handler call. Default 500. */
  readonly batchSize?: number;
  /** Called each time the subscription has delivered everything committed so far. */
  readonly onCaughtUp?: (position: bigint) => void;
}

/**
 * Receives events in global order, in batches. The subscription waits for the
 * returned promise before delivering more, so a handler that commits its read
 * model and checkpoint together gets an exactly-once effect.
 */
export type SubscriptionHandler<E extends EventShape> = (events: readonly RecordedEvent<E>[]) => Promise<void>;

export interface EventSubscription {
  /** Global position of the last event handed to the handler (or the start checkpoint). */
  readonly position: bigint;
  /** Settles when the subscription stops: resolves after `close()`, rejects if the handler or the store failed. */
  readonly done: Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * The append-only log. Every adapter (PGlite, PostgreSQL, EventStoreDB) passes
 * the same contract suite in test/contract.
 */
export interface EventStore<E extends EventShape = EventShape> {
  /** Which adapter this is, for logs and test names. */
  readonly kind: 'pglite' | 'postgres' | 'eventstoredb';
  /**
   * Appends atomically. Throws ConcurrencyError when the expected version does
   * not hold, DuplicateEventIdError when a known id carries other content,
   * InvalidStreamNameError / UnknownEventTypeError / InvalidEventError on bad
   * input; in every error case nothing is written.
   */
  append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent<E>[]>;
  /** Global position of the last committed event (0n for an empty log). */
  headPosition(): Promise<bigint>;
  /** Catch-up then live; every committed event exactly once, in global order. */
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler<E>): EventSubscription;
  /** Idempotent; closes every subscription of this store. */
  close(): Promise<void>;
}
