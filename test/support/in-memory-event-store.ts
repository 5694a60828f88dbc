import { isDeepStrictEqual } from 'node:util';
import type { EventCatalogue } from '../../src/events/catalogue.ts';
import type { EventShape, NewEvent, RecordedEvent } from '../../src/events/envelope.ts';
import { NewEventMetadataSchema } from '../../src/events/envelope.ts';
import { ConcurrencyError, DuplicateEventIdError, InvalidArgumentError, InvalidEventError } from '../../src/events/errors.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllFilter,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionHandler,
} from '../../src/events/event-store.ts';
import { ExpectedVersionSchema } from '../../src/events/expected-version.ts';
import { assertValidStreamName, streamCategory } from '../../src/events/stream-name.ts';

const MAX_LIMIT = 10_000;

function matches(event: RecordedEvent, filter: ReadAllFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.typePrefixes && !filter.typePrefixes.some((p) => event.type.startsWith(p))) return false;
  if (filter.categories && !filter.categories.includes(streamCategory(event.streamId))) return false;
  return true;
}

function checkLimit(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT)
    throw new InvalidArgumentError(`limit must be an integer in 1..${MAX_LIMIT}, got ${String(value)}`);
  return value;
}

export interface InMemoryEventStoreOptions {
  /**
   * Stamps `recordedAt`. Tests pass a fixed clock so recorded events (and
   * anything derived from them) are reproducible.
   */
  readonly clock?: () => Date;
}

/**
 * A faithful, single-process EventStore for framework tests until (and
 * alongside) the SQL adapters: catalogue validation on append, expected
 * versions, idempotent re-append by event id, 1-based gap-free global
 * positions, and a catch-up-then-live subscription that awaits its handler
 * between batches. It is a test double of the interface, not of a server.
 */
export class InMemoryEventStore<E extends EventShape> implements EventStore<E> {
  readonly kind = 'pglite' as const;
  readonly #catalogue: EventCatalogue<E>;
  readonly #clock: () => Date;
  readonly #log: RecordedEvent<E>[] = [];
  readonly #streams = new Map<string, RecordedEvent<E>[]>();
  readonly #byId = new Map<string, RecordedEvent<E>>();
  readonly #subscriptions = new Set<InMemorySubscription<E>>();
  #closed = false;

  constructor(catalogue: EventCatalogue<E>, options: InMemoryEventStoreOptions = {}) {
    this.#catalogue = catalogue;
    this.#clock = options.clock ?? (() => new Date());
  }

  async append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult> {
    this.#assertOpen();
    assertValidStreamName(streamId);
    const expected = ExpectedVersionSchema.parse(options.expectedVersion);
    if (events.length === 0) throw new InvalidArgumentError('append needs at least one event');

    // Validate everything before touching the log: bad input writes nothing.
    const prepared = events.map((e) => {
      const { type, data } = this.#catalogue.encode(e.type, e.data);
      const metadata = NewEventMetadataSchema.safeParse(e.metadata);
      if (!metadata.success) throw new InvalidEventError(e.type, metadata.error.issues);
      return { id: e.id, type, data, metadata: metadata.data };
    });

    const known = prepared.map((e) => this.#byId.get(e.id));
    if (known.every((k) => k !== undefined)) {
      known.forEach((k, i) => {
        const p = prepared[i]!;
        if (k.streamId !== streamId || k.type !== p.type || !isDeepStrictEqual(k.data, p.data))
          throw new DuplicateEventIdError(p.id, 'other content');
      });
      return {
        streamId,
        nextExpectedVersion: known.at(-1)!.streamVersion,
        positions: known.map((k) => k.globalPosition),
        duplicate: true,
      };
    }
    const reused = prepared.find((_, i) => known[i] !== undefined);
    if (reused) throw new DuplicateEventIdError(reused.id, 'a different batch');

    const stream = this.#streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? 'no_stream' : stream.length - 1;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === 'no_stream') ||
      (expected === 'exists' && actual !== 'no_stream') ||
      expected === actual;
    if (!ok) throw new ConcurrencyError(streamId, expected, actual);

    const recordedAt = this.#clock().toISOString();
    const recorded = prepared.map(
      (p, i) =>
        ({
          ...p,
          metadata: { ...p.metadata, recordedAt },
          streamId,
          streamVersion: stream.length + i,
          globalPosition: BigInt(this.#log.length + i + 1),
        }) as RecordedEvent<E>,
    );
    stream.push(...recorded);
    this.#streams.set(streamId, stream);
    this.#log.push(...recorded);
    for (const r of recorded) this.#byId.set(r.id, r);
    for (const s of this.#subscriptions) s.wake();
    return {
      streamId,
      nextExpectedVersion: stream.length - 1,
      positions: recorded.map((r) => r.globalPosition),
      duplicate: false,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    this.#assertOpen();
    assertValidStreamName(streamId);
    const limit = checkLimit(options.limit, 1_000);
    const stream = this.#streams.get(streamId) ?? [];
    if (options.direction === 'backward') {
      const from = options.fromVersion ?? stream.length - 1;
      return stream.slice(0, from + 1).reverse().slice(0, limit);
    }
    return stream.slice(options.fromVersion ?? 0).slice(0, limit);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent<E>[]> {
    this.#assertOpen();
    const limit = checkLimit(options.limit, 1_000);
    return this.#page(options.after ?? 0n, limit, options.filter);
  }

  async headPosition(): Promise<bigint> {
    this.#assertOpen();
    return BigInt(this.#log.length);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler<E>): EventSubscription {
    this.#assertOpen();
    const batchSize = checkLimit(options.batchSize, 500);
    if (options.after < 0n) throw new InvalidArgumentError('after must be >= 0');
    const subscription = new InMemorySubscription<E>(
      { ...options, batchSize },
      (after, limit) => this.#page(after, limit, options.filter),
      handler,
      (s) => this.#subscriptions.delete(s),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
  }

  /** Events strictly after `after` that pass `filter`, at most `limit`. */
  #page(after: bigint, limit: number, filter: ReadAllFilter | undefined): RecordedEvent<E>[] {
    const out: RecordedEvent<E>[] = [];
    // Positions are 1-based and gap-free here, so position p sits at index p - 1.
    for (let i = Number(after); i < this.#log.length && out.length < limit; i += 1) {
      const e = this.#log[i]!;
      if (matches(e, filter)) out.push(e);
    }
    return out;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('event store is closed');
  }
}

interface InMemorySubscriptionSettings {
  readonly after: bigint;
  readonly batchSize: number;
  readonly onCaughtUp?: (position: bigint) => void;
}

/**
 * Pull loop: read a page after the last delivered position, hand it to the
 * handler and await it; when a page comes back short the subscription is at
 * the head, fires onCaughtUp and sleeps until the next append wakes it.
 */
class InMemorySubscription<E extends EventShape> implements EventSubscription {
  readonly done: Promise<void>;
  readonly #settings: InMemorySubscriptionSettings;
  readonly #read: (after: bigint, limit: number) => RecordedEvent<E>[];
  readonly #handler: SubscriptionHandler<E>;
  #position: bigint;
  #closed = false;
  #closing: Promise<void> | null = null;
  #inHandler = false;
  #wake: (() => void) | null = null;
  // An append can land while the loop is not sleeping (inside the handler or onCaughtUp); remember it.
  #appended = false;

  constructor(
    settings: InMemorySubscriptionSettings,
    read: (after: bigint, limit: number) => RecordedEvent<E>[],
    handler: SubscriptionHandler<E>,
    onStopped: (s: InMemorySubscription<E>) => void,
  ) {
    this.#settings = settings;
    this.#read = read;
    this.#handler = handler;
    this.#position = settings.after;
    this.done = this.#run().finally(() => onStopped(this));
    this.done.catch(() => undefined);
  }

  get position(): bigint {
    return this.#position;
  }

  wake(): void {
    this.#appended = true;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.wake();
      if (!this.#inHandler) await this.done.catch(() => undefined);
    })();
    return this.#closing;
  }

  async #run(): Promise<void> {
    // Start asynchronously, like a real store: subscribe() returns before the first delivery.
    await Promise.resolve();
    let caughtUpAt: bigint | null = null;
    while (!this.#closed) {
      this.#appended = false;
      const page = this.#read(this.#position, this.#settings.batchSize);
      if (page.length > 0) {
        this.#inHandler = true;
        try {
          await this.#handler(page);
        } finally {
          this.#inHandler = false;
        }
        this.#position = page.at(-1)!.globalPosition;
        if (page.length === this.#settings.batchSize) continue;
      }
      if (this.#closed) return;
      // The read above missed nothing committed before it, so we are at the head.
      if (caughtUpAt !== this.#position || page.length > 0) this.#settings.onCaughtUp?.(this.#position);
      caughtUpAt = this.#position;
      if (this.#appended || this.#closed) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
