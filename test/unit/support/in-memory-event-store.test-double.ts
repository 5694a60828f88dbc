import { isDeepStrictEqual } from 'node:util';
import type { EventCatalogue } from '../../../src/events/catalogue.ts';
import type { EventShape, NewEvent, RecordedEvent } from '../../../src/events/envelope.ts';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  InvalidArgumentError,
} from '../../../src/events/errors.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionHandler,
} from '../../../src/events/event-store.ts';
import { assertValidStreamName, streamCategory } from '../../../src/events/stream-name.ts';

/**
 * TEST DOUBLE — not an adapter. A tiny in-process EventStore for unit tests of
 * code that only needs append/read semantics (the command handler). It honours
 * expected versions (number, no_stream, exists, any), stream names, the
 * catalogue and event-id idempotency like the real stores; it has no
 * durability and no subscriptions. Real adapters are proven by test/contract.
 */
export class InMemoryEventStoreTestDouble<E extends EventShape = EventShape> implements EventStore<E> {
  // The interface has no test kind; this double mimics the embedded adapter's semantics, so it says pglite.
  readonly kind = 'pglite' as const;
  readonly #catalogue: EventCatalogue<E>;
  readonly #log: RecordedEvent<E>[] = [];
  readonly #streams = new Map<string, RecordedEvent<E>[]>();
  /** Awaited at the start of every append, before the version check: lets a test slip in a competing write. */
  beforeAppend: ((streamId: string) => Promise<void>) | null = null;
  /** Every readStream call, for tests that check paging. */
  readonly reads: { streamId: string; options: ReadStreamOptions }[] = [];

  constructor(catalogue: EventCatalogue<E>) {
    this.#catalogue = catalogue;
  }

  async append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult> {
    await this.beforeAppend?.(streamId);
    assertValidStreamName(streamId);
    if (events.length === 0) throw new InvalidArgumentError('append needs at least one event');
    const encoded = events.map((e) => ({ ...e, ...this.#catalogue.encode(e.type, e.data) }));
    const stream = this.#streams.get(streamId) ?? [];
    const known = encoded.map((e) => this.#log.find((r) => r.id === e.id));
    if (known.every((k) => k !== undefined)) {
      const same = known.every(
        (k, i) => k!.streamId === streamId && k!.type === encoded[i]!.type && isDeepStrictEqual(k!.data, encoded[i]!.data),
      );
      if (!same) throw new DuplicateEventIdError(known[0]!.id, 'other content');
      return {
        streamId,
        nextExpectedVersion: known.at(-1)!.streamVersion,
        positions: known.map((k) => k!.globalPosition),
        duplicate: true,
      };
    }
    const reused = known.find((k) => k !== undefined);
    if (reused) throw new DuplicateEventIdError(reused.id, 'a different batch');

    const actual = stream.length === 0 ? 'no_stream' : stream.length - 1;
    const { expectedVersion } = options;
    const ok =
      expectedVersion === 'any' ||
      (expectedVersion === 'no_stream' && actual === 'no_stream') ||
      (expectedVersion === 'exists' && actual !== 'no_stream') ||
      expectedVersion === actual;
    if (!ok) throw new ConcurrencyError(streamId, expectedVersion, actual);

    const recordedAt = new Date(0).toISOString();
    const recorded = encoded.map(
      (e, i) =>
        ({
          id: e.id,
          type: e.type,
          data: e.data,
          streamId,
          streamVersion: stream.length + i,
          globalPosition: BigInt(this.#log.length + i + 1),
          metadata: { ...e.metadata, recordedAt },
        }) as unknown as RecordedEvent<E>,
    );
    this.#log.push(...recorded);
    this.#streams.set(streamId, [...stream, ...recorded]);
    return {
      streamId,
      nextExpectedVersion: stream.length + recorded.length - 1,
      positions: recorded.map((r) => r.globalPosition),
      duplicate: false,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    this.reads.push({ streamId, options });
    const limit = checkedLimit(options.limit);
    const stream = this.#streams.get(streamId) ?? [];
    if (options.direction === 'backward') {
      const from = options.fromVersion ?? stream.length - 1;
      return stream.slice(Math.max(0, from - limit + 1), from + 1).reverse();
    }
    const from = options.fromVersion ?? 0;
    return stream.slice(from, from + limit);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent<E>[]> {
    const limit = checkedLimit(options.limit);
    const after = options.after ?? 0n;
    const { typePrefixes, categories } = options.filter ?? {};
    return this.#log
      .filter((e) => e.globalPosition > after)
      .filter((e) => !typePrefixes || typePrefixes.some((p) => e.type.startsWith(p)))
      .filter((e) => !categories || categories.includes(streamCategory(e.streamId)))
      .slice(0, limit);
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.#log.length);
  }

  subscribe(_options: SubscribeOptions, _handler: SubscriptionHandler<E>): EventSubscription {
    throw new Error('InMemoryEventStoreTestDouble has no subscriptions; use a real adapter');
  }

  async close(): Promise<void> {}
}

function checkedLimit(limit: number | undefined): number {
  const l = limit ?? 1_000;
  if (!Number.isInteger(l) || l < 1 || l > 10_000) throw new InvalidArgumentError(`limit must be 1-10000, got ${l}`);
  return l;
}
