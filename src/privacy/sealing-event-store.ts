import type { EventCatalogue } from '../events/catalogue.ts';
import type { EventShape, NewEvent, RecordedEvent } from '../events/envelope.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionHandler,
} from '../events/event-store.ts';
import { InvalidArgumentError } from '../events/errors.ts';
import { assertValidStreamName } from '../events/stream-name.ts';
import type { DataKeyStore } from './data-key-store.ts';
import { openData, ownersOf, sealData, sealedKeyIds } from './personal-data-sealer.ts';

export interface SealingEventStoreOptions<E extends EventShape> {
  /** The log adapter, opened with `sealedCatalogue(catalogue)` so it accepts sealed fields. */
  readonly inner: EventStore<EventShape>;
  /** The domain catalogue: events are checked against it before they are sealed. */
  readonly catalogue: EventCatalogue<E>;
  readonly keys: DataKeyStore;
}

/** The parts of an append's events the store needs before handing them on. */
const EnvelopeFields = (raw: unknown): { id: string; type: string; data: unknown } | null => {
  if (typeof raw !== 'object' || raw === null) return null;
  const { id, type, data } = raw as { id?: unknown; type?: unknown; data?: unknown };
  return typeof id === 'string' && typeof type === 'string' ? { id, type, data } : null;
};

/**
 * The event log with personal data sealed (docs/privacy.md). On append each
 * event is checked against the domain catalogue, then its personal fields
 * (src/privacy/personal-fields.ts) are encrypted with their owner's data key
 * and the inner log stores the tokens; on every read (streams, readAll,
 * subscriptions) they are opened again, or read as erased placeholders once
 * the owner's key is destroyed. Everything else (positions, versions,
 * idempotency, errors) is the inner store's.
 */
export class SealingEventStore<E extends EventShape> implements EventStore<E> {
  readonly kind: EventStore<E>['kind'];
  readonly #inner: EventStore<EventShape>;
  readonly #catalogue: EventCatalogue<E>;
  readonly #keys: DataKeyStore;

  constructor(options: SealingEventStoreOptions<E>) {
    this.#inner = options.inner;
    this.#catalogue = options.catalogue;
    this.#keys = options.keys;
    this.kind = options.inner.kind;
  }

  /** The data keys, for forgetting a subject. */
  get keys(): DataKeyStore {
    return this.#keys;
  }

  async append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult> {
    if (!Array.isArray(events)) throw new InvalidArgumentError('append needs at least one event');
    // Validate the stream and every event before any key is created: bad input must write nothing, keys included.
    // (The expected version is the inner store's to check: a conflict is a race, not bad input.)
    assertValidStreamName(streamId);
    const checked = events.map((raw: unknown) => {
      const fields = EnvelopeFields(raw);
      // Malformed envelopes go on untouched: the inner store refuses them with its usual errors.
      if (fields === null) return { raw, sealable: null };
      const event = this.#catalogue.encode(fields.type, fields.data);
      return { raw, sealable: { id: fields.id.toLowerCase(), type: event.type, data: event.data } };
    });
    const owners = checked.flatMap((c) => (c.sealable === null ? [] : ownersOf(c.sealable.type, c.sealable.data)));
    const keys = owners.length === 0 ? new Map() : await this.#keys.liveKeys(owners);
    const sealed = checked.map(({ raw, sealable }) =>
      sealable === null ? raw : { ...(raw as object), data: sealData(sealable.id, sealable.type, sealable.data, keys) },
    ) as NewEvent<EventShape>[];
    return this.#inner.append(streamId, sealed, options);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return this.#open(await this.#inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent<E>[]> {
    return this.#open(await this.#inner.readAll(options));
  }

  headPosition(): Promise<bigint> {
    return this.#inner.headPosition();
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler<E>): EventSubscription {
    return this.#inner.subscribe(options, async (events) => handler(await this.#open(events)));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #open(events: readonly RecordedEvent<EventShape>[]): Promise<RecordedEvent<E>[]> {
    const ids = events.flatMap((e) => sealedKeyIds(e.type, e.data));
    const keys = ids.length === 0 ? new Map() : await this.#keys.keysById(ids);
    // The inner store validated the stored form (tokens or placeholders pass the domain schema) and
    // GCM authenticates every opened value as the one validated on append, so the result is a domain event.
    return events.map((e) => (ids.length === 0 ? e : { ...e, data: openData(e.id, e.type, e.data, keys) })) as RecordedEvent<E>[];
  }
}
