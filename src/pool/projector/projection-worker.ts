import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import type { Logger } from '../../logging/logger.ts';
import { ProjectionError } from '../../projections/framework/errors.ts';
import { markFailed } from '../../projections/framework/projection-checkpoints.ts';
import type { SqlProjection } from '../../projections/framework/sql-projection.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { TypedEmitter } from '../../util/typed-emitter.ts';
import { SealedFieldError } from '../../privacy/data-key.ts';
import { withDeadline } from '../kafka-client.ts';
import type { KafkaConfig } from '../kafka-config.ts';
import { KafkaUnavailableError, PoolError } from '../pool-errors.ts';
import { applyGuardedBatch } from './guarded-batch.ts';
import type { SharedEventDecoder } from './shared-event-decoder.ts';
import { preparePoolProjection } from './pool-projection-state.ts';
import { spreadAssigner } from './spread-assigner.ts';

export interface ProjectionWorkerOptions<E extends EventShape> {
  readonly kafka: Kafka;
  readonly config: KafkaConfig;
  /** Where the projection's tables, checkpoint and stream guards live. */
  readonly client: SqlClient;
  /** Decodes, validates and opens the messages, once for all the workers of the process. */
  readonly decoder: SharedEventDecoder<E>;
  readonly projection: SqlProjection<E>;
  /** The projection's index in the projector's list: which worker the spread assigner gives it to. */
  readonly slot: number;
  readonly workerId: string;
  /** Consumer group name prefix. */
  readonly groupPrefix: string;
  /** Most messages per read-model transaction. */
  readonly batchSize: number;
  readonly logger: Logger;
}

/** Pause before a consumer kafkajs gave up on is replaced. */
const RESTART_DELAY_MS = 2_000;
/**
 * Fetch sizes: a catching-up worker should get thousands of events per fetch
 * (one read-model transaction each), not kafkajs's 1 MiB per partition
 * (about 2,000 events). Twelve workers per process × 8 MiB bounds the memory.
 */
const MAX_BYTES_PER_PARTITION = 8 * 1024 * 1024;
/** At the head a fetch returns as soon as one message is there, or after this: the latency floor. */
const MAX_WAIT_MS = 100;

export type ProjectionWorkerState = 'stopped' | 'starting' | 'running' | 'failed';

export interface ProjectionWorkerEvents {
  /** After every rebalance of this projection's group: whether this worker now holds the partition. */
  assigned: [assignment: { readonly projection: string; readonly assigned: boolean }];
  /** A batch committed (read model, guards, checkpoint) and its offsets committed after it. */
  applied: [batch: { readonly projection: string; readonly position: bigint; readonly applied: number; readonly skipped: number }];
  failed: [error: Error];
}

/**
 * One SQL projection fed from Kafka: a consumer in the projection's own group
 * (`<prefix>.<name>.v<version>.e<epoch>`). For each fetched batch, chunk by
 * chunk: decode and validate the messages, apply them through the stream
 * version guard in one read-model transaction, then commit the offsets. A
 * crash between the two redelivers the chunk, and the guard applies none of it.
 */
export class ProjectionWorker<E extends EventShape> extends TypedEmitter<ProjectionWorkerEvents> {
  readonly #options: ProjectionWorkerOptions<E>;
  readonly #log: Logger;
  #consumer: Consumer | null = null;
  #state: ProjectionWorkerState = 'stopped';
  #assigned = false;
  #position = 0n;
  #epoch = 0;
  #error: Error | null = null;
  // A failure that retrying cannot fix (a corrupt message, a projection that throws on it).
  #fatal: Error | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: ProjectionWorkerOptions<E>) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ projection: options.projection.name });
  }

  get name(): string {
    return this.#options.projection.name;
  }

  get state(): ProjectionWorkerState {
    return this.#state;
  }

  /** Whether this worker currently holds the projection's partition. */
  get assigned(): boolean {
    return this.#assigned;
  }

  /** Checkpoint after the last batch this worker committed. */
  get position(): bigint {
    return this.#position;
  }

  get error(): Error | null {
    return this.#error;
  }

  /** Prepares the tables (see preparePoolProjection), joins the group and starts consuming. */
  async start(): Promise<void> {
    if (this.#closing) throw new Error(`projection worker ${this.name} is closed`);
    if (this.#state !== 'stopped') throw new Error(`projection worker ${this.name} already started`);
    this.#state = 'starting';
    const { kafka, config, client, projection, slot, workerId, groupPrefix } = this.#options;
    const { epoch, reset } = await preparePoolProjection(client, projection);
    this.#epoch = epoch;
    const groupId = `${groupPrefix}.${projection.name}.v${projection.version}.e${epoch}`;
    if (reset) this.#log.info({ groupId }, 'tables (re)created; the group reads the topic from its first offset');
    const consumer = kafka.consumer({
      groupId,
      partitionAssigners: [spreadAssigner(workerId, slot)],
      sessionTimeout: config.sessionTimeoutMs,
      // A rebalance waits for every member to rejoin; a member busy in a batch rejoins after it.
      rebalanceTimeout: Math.max(config.sessionTimeoutMs, 30_000),
      heartbeatInterval: Math.max(100, Math.floor(config.sessionTimeoutMs / 6)),
      minBytes: 1,
      maxWaitTimeInMs: MAX_WAIT_MS,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      maxBytes: MAX_BYTES_PER_PARTITION,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8, restartOnFailure: () => Promise.resolve(this.#fatal === null) },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#assigned = (payload.memberAssignment[config.topic] ?? []).length > 0;
      this.#log.info({ assigned: this.#assigned, groupId }, 'group joined');
      this.emit('assigned', { projection: projection.name, assigned: this.#assigned });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        this.#log.warn({ err: payload.error }, 'consumer crashed; kafkajs restarts it');
        return;
      }
      // kafkajs gives up on some broker-side errors (e.g. "Failed to find group coordinator"
      // while a restarted broker elects one). Only our own fatal errors stop the worker:
      // anything from Kafka is retried with a fresh consumer until the broker is back.
      if (this.#fatal === null && this.#closing === null) {
        this.#log.warn({ err: payload.error }, `consumer stopped on a broker error; a new one joins in ${RESTART_DELAY_MS} ms`);
        void this.#restart();
        return;
      }
      this.#fail(this.#fatal ?? payload.error);
    });
    try {
      await withDeadline(
        consumer.connect(),
        config.connectTimeoutMs,
        () => new KafkaUnavailableError(config.brokers, config.connectTimeoutMs, new Error('the consumer could not connect')),
      );
      await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.#consume(payload),
      });
      this.#state = 'running';
    } catch (error) {
      this.#state = 'failed';
      this.#error = error instanceof Error ? error : new Error(String(error));
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Idempotent. Leaves the group (its partition moves to another worker at once) after the batch in hand. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const consumer = this.#consumer;
      this.#consumer = null;
      if (consumer) await consumer.disconnect().catch((error: unknown) => this.#log.warn({ err: error }, 'consumer disconnect failed'));
      this.#assigned = false;
      if (this.#state !== 'failed') this.#state = 'stopped';
    })();
    return this.#closing;
  }

  async #consume({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { client, projection, batchSize, decoder } = this.#options;
    const { topic, partition } = batch;
    for (let from = 0; from < batch.messages.length; from += batchSize) {
      // After a rebalance the partition may be someone else's: leave the rest to them.
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(from, from + batchSize);
      try {
        const events: RecordedEvent<E>[] = await decoder.events(topic, partition, chunk);
        const result = await this.#whileBeating(heartbeat, () => applyGuardedBatch(client, projection, this.#epoch, events));
        this.#position = result.position;
        this.emit('applied', { projection: projection.name, ...result });
      } catch (error) {
        // Retrying cannot fix these: a corrupt message, a projection that throws, a token that fails authentication.
        if (error instanceof PoolError || error instanceof ProjectionError || error instanceof SealedFieldError) this.#fatal ??= error;
        throw error;
      }
      const last = chunk.at(-1)!.offset;
      resolveOffset(last);
      await commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }],
      });
      await heartbeat();
    }
  }

  /**
   * Runs `work` (a transaction of thousands of events, seconds on a busy
   * machine) while heartbeating, so the group does not take the member for
   * dead mid-transaction. A heartbeat that fails (a rebalance began) is left to
   * the `heartbeat()` after the chunk, which ends the batch; the transaction is
   * guarded, so finishing it after losing the partition is harmless.
   */
  async #whileBeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const every = Math.max(100, Math.floor(this.#options.config.sessionTimeoutMs / 6));
    const timer = setInterval(() => void heartbeat().catch(() => undefined), every);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Replaces a consumer kafkajs gave up on, retrying until a start succeeds or the worker closes. */
  async #restart(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = null;
    this.#assigned = false;
    await consumer?.disconnect().catch(() => undefined);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
      if (this.#closing !== null || this.#fatal !== null) return;
      this.#state = 'stopped';
      try {
        await this.start();
        this.#error = null;
        this.#log.info('consumer rejoined after a broker error');
        return;
      } catch (error) {
        this.#log.warn({ err: error }, 'consumer could not rejoin yet; retrying');
      }
    }
  }

  #fail(cause: unknown): void {
    if (this.#state === 'failed') return;
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.#state = 'failed';
    this.#error = error;
    this.#assigned = false;
    this.#log.error({ err: error, position: this.#position }, 'projection worker failed; stopped');
    const { client, projection } = this.#options;
    markFailed(client, projection.name, projection.version, error.message).catch((e: unknown) =>
      this.#log.warn({ err: e }, 'could not record the failure in the checkpoint table'),
    );
    this.emit('failed', error);
  }
}
