import type { KafkaMessage } from 'kafkajs';
import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import { POSITION_HEADER } from '../event-message.ts';
import type { EventMessageReader } from '../event-message-reader.ts';

/** Default number of decoded events kept: about 50-100 MB, a few fetches' worth. */
export const DEFAULT_SHARED_DECODER_CAPACITY = 50_000;

interface Entry<E extends EventShape> {
  /** The message's position header, checked on a hit: a recreated topic reuses offsets. */
  readonly position: string | null;
  readonly event: Promise<RecordedEvent<E>>;
}

/**
 * Decodes each topic message ONCE per projector process, for all its workers.
 * Every projection has its own consumer over the same one-partition topic, so
 * without this a process running twelve projections parses, validates (zod)
 * and opens (AES-GCM) every event twelve times; profiled, that was most of the
 * projector's CPU, far above the projections' own work.
 *
 * Keyed by topic/partition@offset, in insertion order, the oldest dropped past
 * `capacity`: workers move through the topic at about the same pace, so the
 * window serves all of them; one far behind simply decodes again. A failed
 * decode is not kept (every worker meets the error itself). Events are shared
 * between workers, so projections must not mutate them (they are readonly).
 * An event opened here keeps its opened fields for as long as it stays in the
 * window, like the key cache (DataKeyStore's TTL) it is opened through.
 */
export class SharedEventDecoder<E extends EventShape> {
  readonly #reader: EventMessageReader<E>;
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry<E>>();

  constructor(reader: EventMessageReader<E>, capacity = DEFAULT_SHARED_DECODER_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('shared decoder capacity must be a non-negative integer');
    this.#reader = reader;
    this.#capacity = capacity;
  }

  /** The messages as domain events, in order; EventMessageError (naming the message) for a bad one. */
  async events(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<RecordedEvent<E>[]> {
    const result: Promise<RecordedEvent<E>>[] = new Array<Promise<RecordedEvent<E>>>(messages.length);
    const missing: { index: number; key: string; position: string | null; message: KafkaMessage }[] = [];
    messages.forEach((message, index) => {
      const key = `${topic}/${partition}@${message.offset}`;
      const position = positionOf(message);
      const hit = this.#entries.get(key);
      if (hit && hit.position === position) result[index] = hit.event;
      else missing.push({ index, key, position, message });
    });
    if (missing.length > 0) {
      // Synchronous: a corrupt message throws here, before anything is cached.
      const decoded = missing.map(({ key, message }) => this.#reader.decode(message.value, message.key, key));
      const opened = this.#reader.open(decoded);
      // Cached before the first await, so concurrent workers wait for this one opening instead of repeating it.
      missing.forEach(({ index, key, position }, i) => {
        const event = opened.then((list) => list[i]!);
        result[index] = event;
        this.#remember(key, { position, event });
      });
      opened.catch(() => {
        for (const { key, index } of missing) if (this.#entries.get(key)?.event === result[index]) this.#entries.delete(key);
      });
    }
    return Promise.all(result);
  }

  #remember(key: string, entry: Entry<E>): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) return;
      this.#entries.delete(oldest.value);
    }
  }
}

function positionOf(message: KafkaMessage): string | null {
  const raw = message.headers?.[POSITION_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? null : value.toString();
}
