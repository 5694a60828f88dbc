import type { EventCatalogue } from '../../events/catalogue.ts';
import type { EventShape } from '../../events/envelope.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import { validateSqlProjection, type SqlProjection } from '../../projections/framework/sql-projection.ts';
import type { DataKeyStore } from '../../privacy/data-key-store.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { TypedEmitter } from '../../util/typed-emitter.ts';
import { EVENT_TOPIC_PARTITIONS, topicPartitions } from '../event-topic.ts';
import { connectAdmin, createKafka } from '../kafka-client.ts';
import { workerIdOf, type KafkaConfig } from '../kafka-config.ts';
import { TopicLayoutError } from '../pool-errors.ts';
import { EventMessageReader } from '../event-message-reader.ts';
import { SharedEventDecoder } from './shared-event-decoder.ts';
import { ProjectionWorker, type ProjectionWorkerEvents, type ProjectionWorkerState } from './projection-worker.ts';

// A fetch (up to 8 MiB, projection-worker.ts) is applied in transactions of up to this many events.
const DEFAULT_BATCH_SIZE = 5_000;
const MAX_BATCH_SIZE = 50_000;

export interface ProjectorOptions<E extends EventShape> {
  readonly kafka: KafkaConfig;
  /** The read-model database (tables, checkpoints, stream guards). */
  readonly client: SqlClient;
  /** Validates every message's event (type and data) before a projection sees it. */
  readonly catalogue: EventCatalogue<E>;
  /**
   * The data keys (EventStorage.dataKeys): the relay publishes the log as stored, personal fields
   * sealed, and each worker opens them with these keys before applying (docs/privacy.md). Absent:
   * the topic carries domain events (a relay over an unsealed store). Default: absent.
   */
  readonly keys?: DataKeyStore;
  /** The SQL projections to keep; every projector process of a pool must list the same, in the same order. */
  readonly projections: readonly SqlProjection<E>[];
  /** Consumer group name prefix. Default `<clientId>.projector`. */
  readonly groupPrefix?: string;
  /** Most messages per read-model transaction. Default 5,000, at most 50,000. */
  readonly batchSize?: number;
  /** This process's name in the groups. Default: the configuration's worker id, else `<host>-<pid>`. */
  readonly workerId?: string;
  readonly logger?: Logger;
}

export interface ProjectorWorkerStatus {
  readonly name: string;
  readonly state: ProjectionWorkerState;
  /** Whether this process currently runs the projection (holds its group's partition). */
  readonly assigned: boolean;
  /** Checkpoint after the last batch this process committed. */
  readonly position: bigint;
  readonly error?: string;
}

/**
 * The projector role: keeps the SQL read models current from the Kafka topic
 * instead of the in-process subscription. One consumer group per projection
 * over the one-partition topic, so every projection sees the log's global
 * order (byte-equal to a rebuild, docs/pool.md) while the projections are
 * spread over the projector processes and move when one joins or dies.
 */
export class Projector<E extends EventShape> extends TypedEmitter<ProjectionWorkerEvents> {
  readonly #options: ProjectorOptions<E>;
  readonly #log: Logger;
  readonly #workerId: string;
  readonly #batchSize: number;
  readonly #workers: ProjectionWorker<E>[] = [];
  #started = false;
  #closing: Promise<void> | null = null;

  constructor(options: ProjectorOptions<E>) {
    super();
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
      throw new RangeError(`projector batchSize must be in 1..${MAX_BATCH_SIZE}`);
    const names = new Set<string>();
    for (const p of options.projections) {
      validateSqlProjection(p);
      if (names.has(p.name)) throw new RangeError(`projection ${p.name} is listed twice`);
      names.add(p.name);
    }
    if (names.size === 0) throw new RangeError('the projector needs at least one projection');
    this.#options = options;
    this.#batchSize = batchSize;
    this.#workerId = options.workerId ?? workerIdOf(options.kafka);
    this.#log = (options.logger ?? moduleLogger('pool-projector')).child({ worker: this.#workerId });
  }

  get workerId(): string {
    return this.#workerId;
  }

  /**
   * Checks the broker and the topic (bounded: KafkaUnavailableError,
   * UnknownTopicError, TopicLayoutError), then starts one worker per projection.
   * Resolves once every worker has joined its group's consumer loop.
   */
  async start(): Promise<void> {
    if (this.#closing) throw new Error('projector is closed');
    if (this.#started) throw new Error('projector already started');
    this.#started = true;
    const { kafka: config, client, catalogue, projections } = this.#options;
    const kafka = createKafka(config, 'projector', this.#log);
    const admin = await connectAdmin(kafka, config);
    try {
      const partitions = await topicPartitions(admin, config.topic, 'start the relay first (with CHORUS_KAFKA_CREATE_TOPIC=true) or create it');
      if (partitions !== EVENT_TOPIC_PARTITIONS)
        throw new TopicLayoutError(
          config.topic,
          `has ${partitions} partitions; the projector needs exactly ${EVENT_TOPIC_PARTITIONS} so every projection sees the log's global order (docs/pool.md)`,
        );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const groupPrefix = this.#options.groupPrefix ?? `${config.clientId}.projector`;
    // One decoding of each message for all the workers (they all read the same partition).
    const decoder = new SharedEventDecoder<E>(new EventMessageReader(catalogue, this.#options.keys));
    projections.forEach((projection, slot) => {
      const worker = new ProjectionWorker<E>({
        kafka,
        config,
        client,
        decoder,
        projection,
        slot,
        workerId: this.#workerId,
        groupPrefix,
        batchSize: this.#batchSize,
        logger: this.#log,
      });
      worker.on('assigned', (a) => this.emit('assigned', a));
      worker.on('applied', (b) => this.emit('applied', b));
      worker.on('failed', (e) => this.emit('failed', e));
      this.#workers.push(worker);
    });
    try {
      for (const worker of this.#workers) await worker.start();
    } catch (error) {
      await this.close();
      throw error;
    }
    this.#log.info({ projections: projections.map((p) => p.name) }, 'projector started');
  }

  status(): ProjectorWorkerStatus[] {
    return this.#workers.map((w) => ({
      name: w.name,
      state: w.state,
      assigned: w.assigned,
      position: w.position,
      ...(w.error ? { error: w.error.message } : {}),
    }));
  }

  /** Idempotent. Every worker leaves its group, so the other projectors take over at once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all(this.#workers.map((w) => w.close()));
    })();
    return this.#closing;
  }
}
