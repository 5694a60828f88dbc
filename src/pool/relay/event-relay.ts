import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Producer } from 'kafkajs';
import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import type { EventStore, EventSubscription } from '../../events/event-store.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import { PositionWaiters } from '../../projections/framework/position-waiters.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { TypedEmitter } from '../../util/typed-emitter.ts';
import { encodeEventMessage, type EventMessage } from '../event-message.ts';
import { ensureEventTopic } from '../event-topic.ts';
import { connectAdmin, createKafka, withDeadline } from '../kafka-client.ts';
import type { KafkaConfig } from '../kafka-config.ts';
import { KafkaUnavailableError } from '../pool-errors.ts';
import { keyedPartitioner } from './keyed-partitioner.ts';
import { advanceRelayCheckpoint, openRelayCheckpoint } from './relay-checkpoints.ts';

// Large pages: per page the relay pays one log query, one checkpoint write and a produce round trip per request.
const DEFAULT_BATCH_SIZE = 5_000;
const MAX_BATCH_SIZE = 50_000;
// Under the broker's default message.max.bytes (1 MiB): one produce request to the one partition is one record batch.
const DEFAULT_MAX_REQUEST_BYTES = 900 * 1024;
// Key, header name/value and record framing, on top of the value.
const MESSAGE_OVERHEAD_BYTES = 64;
const DEFAULT_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 5_000;

export interface EventRelayOptions<E extends EventShape> {
  /** The log to tail, in global order. */
  readonly store: EventStore<E>;
  /** The LOG's database: the relay checkpoint lives next to the events it counts. */
  readonly client: SqlClient;
  readonly kafka: KafkaConfig;
  /** Checkpoint row key. Default: the topic name. */
  readonly name?: string;
  /**
   * Most events read from the log per page, and per checkpoint write (the page
   * is published as one or more produce requests, see `maxRequestBytes`).
   * Default 5,000, at most 50,000.
   */
  readonly batchSize?: number;
  /**
   * Most bytes (keys + values + headers, uncompressed) per produce request: a
   * page is split into requests of at most this size, sent in order. Must stay
   * under the broker's `message.max.bytes` (default 1 MiB). Default 921,600
   * (900 KiB); a single larger event is sent alone.
   */
  readonly maxRequestBytes?: number;
  /** Replication factor when the relay creates the topic (`kafka.createTopic`). Default 1. */
  readonly replicationFactor?: number;
  /** First wait after a failed produce; doubles up to 5 s. Default 500 ms. */
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
}

export type RelayState = 'stopped' | 'starting' | 'running' | 'failed';

export interface RelayStatus {
  readonly name: string;
  readonly topic: string;
  readonly state: RelayState;
  /** Last global position the broker acknowledged (and the checkpoint holds). */
  readonly position: bigint;
  readonly head: bigint;
  readonly lag: bigint;
  readonly error?: string;
}

export interface EventRelayEvents {
  /** A batch was acknowledged by the broker and checkpointed. */
  published: [batch: { readonly position: bigint; readonly count: number }];
  /** A produce failed and will be retried (the broker is down or restarting). */
  retrying: [failure: { readonly attempt: number; readonly error: Error }];
  /** The relay stopped on an error it cannot retry (the log's database, the subscription). */
  failed: [error: Error];
}

/**
 * Tails the event log and publishes every event to Kafka, in global order,
 * keyed by stream id.
 *
 * At-least-once: a batch is sent with an idempotent producer (acks from all
 * in-sync replicas, one request in flight, so retries neither duplicate nor
 * reorder within a producer session) and the checkpoint advances only after
 * the broker acknowledged it. A failed send is retried with a NEW producer
 * session until it succeeds, and a crash re-sends from the checkpoint; either
 * may publish an event twice, which the projector's per-stream version guard
 * turns into a no-op.
 */
export class EventRelay<E extends EventShape> extends TypedEmitter<EventRelayEvents> {
  readonly #store: EventStore<E>;
  readonly #client: SqlClient;
  readonly #config: KafkaConfig;
  readonly #name: string;
  readonly #batchSize: number;
  readonly #maxRequestBytes: number;
  readonly #replicationFactor: number;
  readonly #retryDelayMs: number;
  readonly #log: Logger;
  readonly #waiters = new PositionWaiters();
  readonly #abort = new AbortController();
  #kafka: Kafka | null = null;
  #producer: Producer | null = null;
  #subscription: EventSubscription | null = null;
  #state: RelayState = 'stopped';
  #error: Error | null = null;
  #started = false;
  #closing: Promise<void> | null = null;

  constructor(options: EventRelayOptions<E>) {
    super();
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
      throw new RangeError(`relay batchSize must be in 1..${MAX_BATCH_SIZE}`);
    const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1) throw new RangeError('relay maxRequestBytes must be a positive integer');
    this.#maxRequestBytes = maxRequestBytes;
    this.#store = options.store;
    this.#client = options.client;
    this.#config = options.kafka;
    this.#name = options.name ?? options.kafka.topic;
    this.#batchSize = batchSize;
    this.#replicationFactor = options.replicationFactor ?? 1;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.#log = (options.logger ?? moduleLogger('pool-relay')).child({ relay: this.#name, topic: options.kafka.topic });
  }

  get state(): RelayState {
    return this.#state;
  }

  /** Last global position acknowledged by the broker. */
  get position(): bigint {
    return this.#waiters.position;
  }

  /**
   * Checks the broker and the topic (bounded: KafkaUnavailableError,
   * UnknownTopicError), opens the checkpoint and starts publishing from it.
   * Resolves once subscribed; a second call is refused.
   */
  async start(): Promise<void> {
    if (this.#closing) throw new Error('relay is closed');
    if (this.#started) throw new Error('relay already started');
    this.#started = true;
    this.#state = 'starting';
    try {
      const kafka = createKafka(this.#config, 'relay', this.#log);
      this.#kafka = kafka;
      const admin = await connectAdmin(kafka, this.#config);
      try {
        await ensureEventTopic(admin, this.#config.topic, { create: this.#config.createTopic, replicationFactor: this.#replicationFactor });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      this.#producer = await withDeadline(
        this.#connectProducer(),
        this.#config.connectTimeoutMs,
        () => new KafkaUnavailableError(this.#config.brokers, this.#config.connectTimeoutMs, new Error('the producer could not connect')),
      );
      const position = await openRelayCheckpoint(this.#client, this.#name);
      this.#waiters.reset(position);
      this.#log.info({ position }, 'relay resuming after its checkpoint');
      this.#follow(position);
      this.#state = 'running';
    } catch (error) {
      this.#state = 'failed';
      this.#error = error instanceof Error ? error : new Error(String(error));
      await this.#discardProducer();
      throw error;
    }
  }

  async status(): Promise<RelayStatus> {
    const head = await this.#store.headPosition();
    const position = this.#waiters.position;
    return {
      name: this.#name,
      topic: this.#config.topic,
      state: this.#state,
      position,
      head,
      lag: head > position ? head - position : 0n,
      ...(this.#error ? { error: this.#error.message } : {}),
    };
  }

  /** Resolves once the broker acknowledged everything up to `position`. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (position <= this.#waiters.position) return Promise.resolve();
    if (this.#state === 'failed') return Promise.reject(this.#error ?? new Error('relay failed'));
    return this.#waiters.wait(
      position,
      timeoutMs,
      (reached) => new Error(`relay ${this.#name} did not publish position ${position} within ${timeoutMs} ms (at ${reached})`),
    );
  }

  /** Idempotent. Stops publishing (a batch being retried is abandoned, not checkpointed) and disconnects. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      const subscription = this.#subscription;
      this.#subscription = null;
      if (subscription) {
        await subscription.close();
        await subscription.done.catch(() => undefined);
      }
      await this.#discardProducer();
      if (this.#state !== 'failed') this.#state = 'stopped';
      this.#waiters.rejectAll(new Error(`relay ${this.#name} closed`));
    })();
    return this.#closing;
  }

  #follow(after: bigint): void {
    const subscription = this.#store.subscribe({ after, batchSize: this.#batchSize }, (events) => this.#publish(events));
    this.#subscription = subscription;
    subscription.done.then(
      () => undefined,
      (error: unknown) => {
        if (this.#closing) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        this.#state = 'failed';
        this.#error = failure;
        this.#log.error({ err: failure, position: this.#waiters.position }, 'relay failed; stopped');
        this.#waiters.rejectAll(failure);
        this.emit('failed', failure);
      },
    );
  }

  async #publish(events: readonly RecordedEvent<E>[]): Promise<void> {
    const requests = splitBySize(events.map((e) => encodeEventMessage(e)), this.#maxRequestBytes);
    const last = events.at(-1)!.globalPosition;
    let delay = this.#retryDelayMs;
    // Requests go one after another (one in flight keeps their order); after a failure the
    // unacknowledged ones are re-sent with a new producer, the acknowledged ones are not.
    let sent = 0;
    for (let attempt = 1; sent < requests.length; attempt++) {
      if (this.#abort.signal.aborted) throw new Error('relay closed while publishing');
      try {
        this.#producer ??= await this.#connectProducer();
        for (; sent < requests.length; sent++) await this.#producer.send({ topic: this.#config.topic, acks: -1, messages: requests[sent]! });
      } catch (cause) {
        if (this.#abort.signal.aborted) throw new Error('relay closed while publishing');
        const error = cause instanceof Error ? cause : new Error(String(cause));
        this.#log.warn({ err: error, attempt, first: events[0]!.globalPosition, last }, 'produce failed; retrying with a new producer');
        this.emit('retrying', { attempt, error });
        // A fresh producer id: after a failed send the old session's sequence numbers cannot be trusted.
        await this.#discardProducer();
        await sleep(delay, undefined, { signal: this.#abort.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
    // Every request acknowledged by the broker: only now may the checkpoint move past these events.
    await advanceRelayCheckpoint(this.#client, this.#name, last);
    this.#waiters.advance(last);
    this.emit('published', { position: last, count: events.length });
  }

  async #connectProducer(): Promise<Producer> {
    if (!this.#kafka) throw new Error('relay not started');
    const producer = this.#kafka.producer({
      idempotent: true,
      // kafkajs keeps order with idempotence only at one request in flight.
      maxInFlightRequests: 1,
      createPartitioner: keyedPartitioner,
      allowAutoTopicCreation: false,
    });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async #discardProducer(): Promise<void> {
    const producer = this.#producer;
    this.#producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}

/** Consecutive runs of `messages`, each at most `maxBytes` (a larger message alone), order kept. */
function splitBySize(messages: readonly EventMessage[], maxBytes: number): EventMessage[][] {
  const requests: EventMessage[][] = [];
  let current: EventMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.value) + Buffer.byteLength(m.key) + MESSAGE_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
