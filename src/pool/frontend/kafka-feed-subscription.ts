import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import type { EventSubscription, SubscribeOptions, SubscriptionHandler } from '../../events/event-store.ts';
import { streamCategory } from '../../events/stream-name.ts';
import type { Logger } from '../../logging/logger.ts';
import { POSITION_HEADER } from '../event-message.ts';
import type { EventMessageReader } from '../event-message-reader.ts';
import { withDeadline } from '../kafka-client.ts';
import type { KafkaConfig } from '../kafka-config.ts';
import { KafkaUnavailableError } from '../pool-errors.ts';

const DEFAULT_BATCH_SIZE = 500;
const POSITION_TEXT = /^[1-9][0-9]{0,19}$/;

export interface KafkaFeedSubscriptionOptions<E extends EventShape> {
  readonly kafka: Kafka;
  readonly config: KafkaConfig;
  /** Validates each message and opens its sealed personal fields. */
  readonly reader: EventMessageReader<E>;
  /** A group of its own: no other member may take the partition, and nothing is ever committed in it. */
  readonly groupId: string;
  readonly subscribe: SubscribeOptions;
  readonly handler: SubscriptionHandler<E>;
  readonly logger: Logger;
}

/**
 * An EventStore-style subscription read from the Kafka topic instead of the
 * log: every event strictly after `subscribe.after`, exactly once, in the log's
 * global order.
 *
 * The topic has one partition written in global order by the relay, which is
 * at-least-once: a retried or re-sent batch repeats a run of positions already
 * on the topic. So the consumer reads from the first offset and hands on only
 * events whose position is above the last one it saw; that yields the log's
 * sequence exactly, whatever the relay repeated, and needs no mapping from
 * positions to offsets (docs/pool.md, "Front ends"). Events at or below the
 * start position are skipped on the `chorus-position` header without decoding.
 *
 * Offsets are never committed: the state being fed lives in memory, so a
 * restarted process seeds again and must read again from its seed, not from
 * where the previous process stopped.
 */
export class KafkaFeedSubscription<E extends EventShape> implements EventSubscription {
  readonly #options: KafkaFeedSubscriptionOptions<E>;
  readonly #log: Logger;
  readonly #batchSize: number;
  readonly #done: Promise<void>;
  #resolveDone: () => void = () => undefined;
  #rejectDone: (error: Error) => void = () => undefined;
  #consumer: Consumer | null = null;
  // Last event handed to the handler (or the start position).
  #position: bigint;
  // Last position read off the topic, handed on or filtered out: what duplicates are measured against.
  #seen: bigint;
  #fatal: Error | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: KafkaFeedSubscriptionOptions<E>) {
    this.#options = options;
    this.#log = options.logger.child({ groupId: options.groupId });
    this.#batchSize = options.subscribe.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.#position = options.subscribe.after;
    this.#seen = options.subscribe.after;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // Observed by whoever awaits `done`; this keeps an unobserved failure from crashing the process.
    this.#done.catch(() => undefined);
    this.#run().catch((error: unknown) => this.#fail(error));
  }

  get position(): bigint {
    return this.#position;
  }

  get done(): Promise<void> {
    return this.#done;
  }

  /** Idempotent: leaves the (private) group and resolves `done`. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#disconnect();
      this.#resolveDone();
    })();
    return this.#closing;
  }

  async #run(): Promise<void> {
    const { kafka, config, groupId } = this.#options;
    const high = await this.#highWatermark();
    if (this.#closing) return;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(config.sessionTimeoutMs / 6)),
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8, restartOnFailure: () => Promise.resolve(this.#fatal === null) },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) this.#log.warn({ err: payload.error }, 'feed consumer crashed; kafkajs restarts it');
      else this.#fail(this.#fatal ?? payload.error);
    });
    await withDeadline(
      consumer.connect(),
      config.connectTimeoutMs,
      () => new KafkaUnavailableError(config.brokers, config.connectTimeoutMs, new Error('the feed consumer could not connect')),
    );
    await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.#consume(payload) });
    // close() ran while connecting: it found no consumer to stop, so stop it here.
    if (this.#closing && this.#consumer === consumer) await this.#disconnect();
    if (this.#closing) return;
    // An empty topic never produces a batch: the subscription is caught up at once.
    if (high === 0n) this.#options.subscribe.onCaughtUp?.(this.#position);
  }

  async #highWatermark(): Promise<bigint> {
    const admin = this.#options.kafka.admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(this.#options.config.topic);
      return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async #consume({ batch, isRunning, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.#fatal) return;
    const where = (m: KafkaMessage): string => `${batch.topic}/${batch.partition}@${m.offset}`;
    // Stored form (personal fields still sealed): opened a batch at a time, just before delivery.
    let pending: RecordedEvent<EventShape>[] = [];
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) return;
        const header = headerPosition(message);
        if (header !== null && header <= this.#seen) continue;
        const event = this.#options.reader.decode(message.value, message.key, where(message));
        if (event.globalPosition <= this.#seen) continue;
        this.#seen = event.globalPosition;
        if (!this.#matches(event)) continue;
        pending.push(event);
        if (pending.length >= this.#batchSize) {
          await this.#deliver(pending);
          pending = [];
          await heartbeat();
        }
      }
      if (pending.length > 0) await this.#deliver(pending);
    } catch (error) {
      // A corrupt message or a handler that throws: retrying cannot help, and skipping would lose an event.
      this.#fatal = error instanceof Error ? error : new Error(String(error));
      // Not awaited: disconnecting waits for this very batch to return.
      setImmediate(() => this.#fail(this.#fatal));
      return;
    }
    if (batch.offsetLag() === '0') this.#options.subscribe.onCaughtUp?.(this.#position);
  }

  async #deliver(stored: readonly RecordedEvent<EventShape>[]): Promise<void> {
    const events = await this.#options.reader.open(stored);
    await this.#options.handler(events);
    this.#position = events.at(-1)!.globalPosition;
  }

  #matches(event: RecordedEvent<EventShape>): boolean {
    const filter = this.#options.subscribe.filter;
    if (!filter) return true;
    if (filter.typePrefixes && !filter.typePrefixes.some((p) => event.type.startsWith(p))) return false;
    if (filter.categories && !filter.categories.includes(streamCategory(event.streamId))) return false;
    return true;
  }

  #fail(cause: unknown): void {
    if (this.#closing) return;
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.#log.error({ err: error, position: this.#position }, 'Kafka feed stopped');
    this.#closing = this.#disconnect().then(() => this.#rejectDone(error));
  }

  async #disconnect(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = null;
    if (consumer) await consumer.disconnect().catch((error: unknown) => this.#log.warn({ err: error }, 'feed consumer disconnect failed'));
  }
}

/** The relay's position header, when present and well-formed (else the value is decoded and checked). */
function headerPosition(message: KafkaMessage): bigint | null {
  const raw = message.headers?.[POSITION_HEADER];
  const text = Array.isArray(raw) ? raw[0]?.toString() : raw?.toString();
  return text !== undefined && POSITION_TEXT.test(text) ? BigInt(text) : null;
}
