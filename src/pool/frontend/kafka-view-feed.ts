import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventCatalogue } from '../../events/catalogue.ts';
import type { EventShape, NewEvent, RecordedEvent } from '../../events/envelope.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionHandler,
} from '../../events/event-store.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import { EVENT_TOPIC_PARTITIONS, topicPartitions } from '../event-topic.ts';
import { connectAdmin, createKafka } from '../kafka-client.ts';
import { workerIdOf, type KafkaConfig } from '../kafka-config.ts';
import { TopicLayoutError } from '../pool-errors.ts';
import type { DataKeyStore } from '../../privacy/data-key-store.ts';
import { EventMessageReader } from '../event-message-reader.ts';
import { KafkaFeedSubscription } from './kafka-feed-subscription.ts';

export interface KafkaViewFeedOptions<E extends EventShape> {
  /** The pool's shared log: appends, reads and the head position go to it. */
  readonly store: EventStore<E>;
  readonly kafka: KafkaConfig;
  /** Validates every event read off the topic. */
  readonly catalogue: EventCatalogue<E>;
  /**
   * The data keys (EventStorage.dataKeys): the relay publishes the log as stored, personal fields
   * sealed; the feed opens them with these keys before the views see the events (docs/privacy.md).
   * Absent: the topic carries domain events (a relay over an unsealed store). Default: absent.
   */
  readonly keys?: DataKeyStore;
  /** Names this front end in its consumer groups. Default: the configuration's worker id, else `<host>-<pid>`. */
  readonly nodeId?: string;
  readonly logger?: Logger;
}

/**
 * The log as a front end's in-memory views see it: an EventStore whose
 * `subscribe` reads the Kafka topic (KafkaFeedSubscription) while everything
 * else (append, reads, head position) goes to the shared log. Handing it to
 * the unchanged InMemoryView / hot-path views keeps them current from Kafka,
 * and their lag (head of the LOG minus the view's position) includes the
 * relay's and the broker's delay, which is what a front end's readiness is about.
 *
 * Each subscription has its own consumer group (`<clientId>.frontend.<node>.<n>.<random>`):
 * every front end, and every view in it, sees every event.
 */
export class KafkaViewFeed<E extends EventShape> implements EventStore<E> {
  readonly #store: EventStore<E>;
  readonly #kafka: Kafka;
  readonly #config: KafkaConfig;
  readonly #reader: EventMessageReader<E>;
  readonly #nodeId: string;
  readonly #log: Logger;
  readonly #subscriptions = new Set<KafkaFeedSubscription<E>>();
  #next = 0;
  #closing: Promise<void> | null = null;

  private constructor(options: KafkaViewFeedOptions<E>, kafka: Kafka, log: Logger) {
    this.#store = options.store;
    this.#kafka = kafka;
    this.#config = options.kafka;
    this.#reader = new EventMessageReader(options.catalogue, options.keys);
    this.#nodeId = options.nodeId ?? workerIdOf(options.kafka);
    this.#log = log;
  }

  /**
   * Checks, within the connect timeout, that a broker answers and the topic
   * exists with the one partition that carries the log's global order
   * (KafkaUnavailableError, UnknownTopicError, TopicLayoutError).
   */
  static async open<E extends EventShape>(options: KafkaViewFeedOptions<E>): Promise<KafkaViewFeed<E>> {
    const log = options.logger ?? moduleLogger('pool-frontend');
    const kafka = createKafka(options.kafka, 'frontend', log);
    const admin = await connectAdmin(kafka, options.kafka);
    try {
      const partitions = await topicPartitions(admin, options.kafka.topic, 'start the relay first (with CHORUS_KAFKA_CREATE_TOPIC=true) or create it');
      if (partitions !== EVENT_TOPIC_PARTITIONS)
        throw new TopicLayoutError(options.kafka.topic, `has ${partitions} partitions; front ends need exactly ${EVENT_TOPIC_PARTITIONS} (the log's global order)`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return new KafkaViewFeed(options, kafka, log);
  }

  get kind(): EventStore<E>['kind'] {
    return this.#store.kind;
  }

  append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult> {
    return this.#store.append(streamId, events, options);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return this.#store.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent<E>[]> {
    return this.#store.readAll(options);
  }

  headPosition(): Promise<bigint> {
    return this.#store.headPosition();
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler<E>): EventSubscription {
    if (this.#closing) throw new Error('the Kafka view feed is closed');
    const groupId = `${this.#config.clientId}.frontend.${this.#nodeId}.${this.#next++}.${randomBytes(4).toString('hex')}`;
    const subscription = new KafkaFeedSubscription<E>({
      kafka: this.#kafka,
      config: this.#config,
      reader: this.#reader,
      groupId,
      subscribe: options,
      handler,
      logger: this.#log,
    });
    this.#subscriptions.add(subscription);
    subscription.done.then(
      () => this.#subscriptions.delete(subscription),
      () => this.#subscriptions.delete(subscription),
    );
    return subscription;
  }

  /** Idempotent. Closes every subscription of this feed; the shared log stays open (its owner closes it). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#subscriptions].map((s) => s.close()));
    })();
    return this.#closing;
  }
}
