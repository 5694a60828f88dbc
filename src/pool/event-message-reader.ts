import type { EventCatalogue } from '../events/catalogue.ts';
import type { EventShape, RecordedEvent } from '../events/envelope.ts';
import type { DataKeyStore } from '../privacy/data-key-store.ts';
import { openData, sealedKeyIds } from '../privacy/personal-data-sealer.ts';
import { sealedCatalogue } from '../privacy/sealed-catalogue.ts';
import { decodeEventMessage } from './event-message.ts';

/**
 * How a Pool consumer (projector worker, front-end feed) turns topic messages
 * into domain events. The relay publishes the log AS STORED, personal fields
 * sealed (docs/privacy.md), so that destroying a person's key also shreds what
 * Kafka holds. With `keys`, a message is validated against the sealed form of
 * the catalogue and its sealed fields are opened with those keys (erased
 * placeholders once a key is destroyed), exactly as SealingEventStore does for
 * a Standard Edition reading the log. Without `keys` the messages are expected
 * in domain form (a relay over an unsealed store, as in some tests).
 */
export class EventMessageReader<E extends EventShape> {
  readonly #catalogue: EventCatalogue<EventShape>;
  readonly #keys: DataKeyStore | null;

  constructor(catalogue: EventCatalogue<E>, keys?: DataKeyStore) {
    this.#keys = keys ?? null;
    this.#catalogue = keys ? sealedCatalogue(catalogue) : catalogue;
  }

  /** Parses and validates one message (stored form); EventMessageError names `where` on failure. */
  decode(value: Buffer | null, key: Buffer | null, where: string): RecordedEvent<EventShape> {
    return decodeEventMessage(this.#catalogue, value, key, where);
  }

  /** The decoded events with their sealed fields opened: one key look-up (cached by DataKeyStore) for the lot. */
  async open(events: readonly RecordedEvent<EventShape>[]): Promise<RecordedEvent<E>[]> {
    const keys = this.#keys;
    // Unsealed topic: the catalogue given to decode was the domain one, so these are domain events.
    if (keys === null) return events as RecordedEvent<E>[];
    const ids = events.flatMap((e) => sealedKeyIds(e.type, e.data));
    if (ids.length === 0) return events as RecordedEvent<E>[];
    const found = await keys.keysById(ids);
    // As in SealingEventStore: the stored form passed the domain schema with tokens erased, and GCM
    // authenticates each opened value as the one validated on append, so the result is a domain event.
    return events.map((e) => ({ ...e, data: openData(e.id, e.type, e.data, found) })) as RecordedEvent<E>[];
  }
}
