import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import type { EventStore, EventSubscription } from '../../events/event-store.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import {
  InvalidProjectionDefinitionError,
  ProjectionConflictError,
  ProjectionFailedError,
  ProjectionStoppedError,
  ProjectionTimeoutError,
} from './errors.ts';
import { PositionWaiters } from './position-waiters.ts';
import {
  advanceCheckpoint,
  advanceIdleCheckpoint,
  clearFailure,
  ensureCheckpointTable,
  lockCheckpoint,
  markActive,
  markFailed,
  readCheckpoint,
  resetCheckpoint,
} from './projection-checkpoints.ts';
import type { ProjectionState, ProjectionStatus } from './projection-status.ts';
import { RebuildProgressMeter, type RebuildProgress, type RebuildProgressListener } from './rebuild-progress.ts';
import { validateSqlProjection, type SqlProjection } from './sql-projection.ts';

const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 10_000;
// A replay from 0 has the whole log ahead: fewer, larger transactions let a
// projection fold a batch in memory and write it with a few set-based statements.
const DEFAULT_REBUILD_BATCH_SIZE = MAX_BATCH_SIZE;
// Every commit wakes every runner; most batches hold nothing a given projection
// handles. A row write per runner per commit was most of the database's work.
const DEFAULT_IDLE_CHECKPOINT_INTERVAL_MS = 5_000;
const MAX_IDLE_CHECKPOINT_INTERVAL_MS = 3_600_000;

export interface ProjectionRunnerOptions<E extends EventShape> {
  readonly store: EventStore<E>;
  /** Where the projection's tables and its checkpoint live (may be the event log's database). */
  readonly client: SqlClient;
  readonly projection: SqlProjection<E>;
  /** Most events per transaction. Default 500, at most 10,000. */
  readonly batchSize?: number;
  /**
   * Most events per transaction while replaying from position 0 (a rebuild, or
   * a projection seen for the first time). Default: `batchSize` when that is
   * given, else 10,000; at most 10,000. The subscription keeps it once live,
   * where batches are only as large as what is pending.
   */
  readonly rebuildBatchSize?: number;
  /**
   * A batch holding no event the projection handles (`canHandle`) opens no
   * transaction: the runner's position (waitForPosition, status, lag) moves in
   * memory, and the checkpoint row catches up with the next batch that writes,
   * at most this many milliseconds later, or on close. A crash in between only
   * makes the next start re-read those ignored events. 0 writes the checkpoint
   * for every batch, as projections without `canHandle` always do. Rebuilds
   * always write every batch. Default 5,000; at most 3,600,000.
   */
  readonly idleCheckpointIntervalMs?: number;
  /** Receives progress of rebuilds the runner starts by itself (version change on start). */
  readonly onRebuildProgress?: RebuildProgressListener;
  /** Milliseconds, for progress rates only. Default `performance.now`. */
  readonly clock?: () => number;
  readonly logger?: Logger;
}

interface Rebuild {
  readonly meter: RebuildProgressMeter;
  readonly listeners: Set<RebuildProgressListener>;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  lastReported: bigint | null;
}

/**
 * Keeps one SqlProjection up to date: subscribes to the log from the stored
 * checkpoint and, for every batch, runs ONE transaction that locks the
 * checkpoint row, applies the batch and advances the checkpoint. A crash
 * anywhere before COMMIT leaves both untouched, so a batch's effect happens
 * exactly once however often it is delivered.
 *
 * On start the stored version is compared with the definition's: a different
 * version (or no row at all) drops and recreates the tables and replays from 0.
 *
 * On a handler or store error the runner stops (`failed`); the failed batch
 * was rolled back, so the checkpoint is that of the last good batch. `start()`
 * again resumes from there.
 */
export class ProjectionRunner<E extends EventShape> {
  readonly #store: EventStore<E>;
  readonly #client: SqlClient;
  readonly #projection: SqlProjection<E>;
  readonly #handles: ReadonlySet<string> | null;
  readonly #batchSize: number;
  readonly #rebuildBatchSize: number;
  readonly #idleCheckpointIntervalMs: number;
  readonly #onRebuildProgress: RebuildProgressListener | undefined;
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #waiters = new PositionWaiters();
  readonly #pendingWrites = new Set<Promise<void>>();
  #state: ProjectionState = 'stopped';
  #error: Error | null = null;
  #subscription: EventSubscription | null = null;
  // Bumped whenever a subscription is replaced, so late callbacks of an old one are ignored.
  #generation = 0;
  #rebuild: Rebuild | null = null;
  // Position the checkpoint row holds as far as this runner wrote it; the waiters' position may be ahead (idle batches).
  #persisted = 0n;
  #idleFlushTimer: NodeJS.Timeout | null = null;
  #idleFlush: Promise<void> | null = null;
  // start / rebuild / close run one at a time, in call order.
  #lifecycle: Promise<void> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ProjectionRunnerOptions<E>) {
    this.#projection = validateSqlProjection(options.projection);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
      throw new InvalidProjectionDefinitionError(this.#projection.name, `batchSize must be in 1..${MAX_BATCH_SIZE}`);
    const rebuildBatchSize = options.rebuildBatchSize ?? options.batchSize ?? DEFAULT_REBUILD_BATCH_SIZE;
    if (!Number.isInteger(rebuildBatchSize) || rebuildBatchSize < 1 || rebuildBatchSize > MAX_BATCH_SIZE)
      throw new InvalidProjectionDefinitionError(this.#projection.name, `rebuildBatchSize must be in 1..${MAX_BATCH_SIZE}`);
    const idleInterval = options.idleCheckpointIntervalMs ?? DEFAULT_IDLE_CHECKPOINT_INTERVAL_MS;
    if (!Number.isInteger(idleInterval) || idleInterval < 0 || idleInterval > MAX_IDLE_CHECKPOINT_INTERVAL_MS)
      throw new InvalidProjectionDefinitionError(
        this.#projection.name,
        `idleCheckpointIntervalMs must be in 0..${MAX_IDLE_CHECKPOINT_INTERVAL_MS}`,
      );
    this.#idleCheckpointIntervalMs = idleInterval;
    this.#store = options.store;
    this.#client = options.client;
    this.#handles = this.#projection.canHandle ? new Set(this.#projection.canHandle) : null;
    this.#batchSize = batchSize;
    this.#rebuildBatchSize = rebuildBatchSize;
    this.#onRebuildProgress = options.onRebuildProgress;
    this.#clock = options.clock ?? (() => performance.now());
    this.#log = (options.logger ?? moduleLogger('projections')).child({ projection: this.#projection.name });
  }

  get name(): string {
    return this.#projection.name;
  }

  get state(): ProjectionState {
    return this.#state;
  }

  /** Global position the tables reflect (as committed by this runner). */
  get position(): bigint {
    return this.#waiters.position;
  }

  /**
   * Prepares the tables if needed and starts following the log; resolves once
   * subscribed, not once caught up (use `waitForPosition`). A no-op while
   * running; after a failure it resumes from the checkpoint.
   */
  start(): Promise<void> {
    return this.#serialise(async () => {
      if (this.#closed) throw new ProjectionStoppedError(this.name);
      if (this.#subscription) return;
      const { name, version } = this.#projection;
      await ensureCheckpointTable(this.#client);
      const checkpoint = await readCheckpoint(this.#client, name);
      if (checkpoint === null) {
        this.#log.info({ version }, 'new projection: creating its tables');
        await this.#resetTables('active');
        this.#follow(0n, 'catching_up');
      } else if (checkpoint.version !== version) {
        this.#log.info({ from: checkpoint.version, to: version }, 'projection version changed: rebuilding');
        await this.#resetTables('rebuilding');
        await this.#beginRebuild(0n, this.#onRebuildProgress);
        this.#follow(0n, 'rebuilding');
      } else if (checkpoint.status === 'rebuilding') {
        // A rebuild was interrupted; its tables are consistent with its checkpoint, so continue it.
        this.#log.info({ position: checkpoint.position }, 'resuming an interrupted rebuild');
        await this.#beginRebuild(checkpoint.position, this.#onRebuildProgress);
        this.#follow(checkpoint.position, 'rebuilding');
      } else {
        if (checkpoint.status === 'failed') {
          this.#log.info({ position: checkpoint.position, error: checkpoint.error }, 'resuming after a failure');
          await clearFailure(this.#client, name, version);
        }
        this.#follow(checkpoint.position, 'catching_up');
      }
    });
  }

  /**
   * Drops and recreates the tables and resets the checkpoint (one
   * transaction), then replays the log from 0. Resolves when the rebuild has
   * caught up with the head; the runner then stays live. A rebuild already
   * under way is joined, not restarted.
   */
  async rebuild(onProgress?: RebuildProgressListener): Promise<void> {
    let done: Promise<void> | undefined;
    await this.#serialise(async () => {
      if (this.#closed) throw new ProjectionStoppedError(this.name);
      if (this.#rebuild) {
        if (onProgress) this.#rebuild.listeners.add(onProgress);
        done = this.#rebuild.done;
        return;
      }
      await this.#stopSubscription();
      await ensureCheckpointTable(this.#client);
      await this.#resetTables('rebuilding');
      done = (await this.#beginRebuild(0n, onProgress)).done;
      this.#follow(0n, 'rebuilding');
    });
    return done;
  }

  async status(): Promise<ProjectionStatus> {
    const head = await this.#store.headPosition();
    const position = this.#waiters.position;
    return {
      name: this.name,
      kind: 'sql',
      version: this.#projection.version,
      position,
      head,
      lag: head > position ? head - position : 0n,
      state: this.#state,
      ...(this.#error ? { error: this.#error.message } : {}),
    };
  }

  /**
   * Resolves once the tables reflect `position` (read-your-writes: pass the
   * position an append returned). Rejects with ProjectionTimeoutError,
   * ProjectionFailedError or ProjectionStoppedError.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (position <= this.#waiters.position) return Promise.resolve();
    if (this.#state === 'failed') return Promise.reject(new ProjectionFailedError(this.name, this.#error));
    if (this.#closed) return Promise.reject(new ProjectionStoppedError(this.name));
    return this.#waiters.wait(position, timeoutMs, (reached) => new ProjectionTimeoutError(this.name, position, reached, timeoutMs));
  }

  /** Idempotent. Lets the batch in flight commit, then stops; waiters are rejected. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#lifecycle;
      const live = this.#state !== 'failed' && this.#state !== 'rebuilding';
      await this.#stopSubscription();
      if (live) await this.#persistIdlePosition();
      this.#state = 'stopped';
      const stopped = new ProjectionStoppedError(this.name);
      this.#waiters.rejectAll(stopped);
      this.#rebuild?.reject(stopped);
      this.#rebuild = null;
      await Promise.allSettled([...this.#pendingWrites]);
    })();
    return this.#closing;
  }

  #serialise(op: () => Promise<void>): Promise<void> {
    const run = this.#lifecycle.then(op);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  /**
   * DROP + schema rather than TRUNCATE: a version bump usually means a new
   * schema. Transactional DDL makes it all-or-nothing with the checkpoint reset.
   */
  async #resetTables(status: 'active' | 'rebuilding'): Promise<void> {
    const { name, version, tables, schema } = this.#projection;
    await this.#client.transaction(async (tx) => {
      await tx.exec(`DROP TABLE IF EXISTS ${tables.map((t) => `"${t}"`).join(', ')} CASCADE`);
      await tx.exec(schema);
      await resetCheckpoint(tx, name, version, status);
    });
  }

  async #beginRebuild(from: bigint, listener: RebuildProgressListener | undefined): Promise<Rebuild> {
    const head = await this.#store.headPosition();
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Rebuilds started by start() have no awaiting caller; their failure is reported through state.
    done.catch(() => undefined);
    const rebuild: Rebuild = {
      meter: new RebuildProgressMeter(this.#clock, from, head),
      listeners: new Set(listener ? [listener] : []),
      done,
      resolve,
      reject,
      lastReported: null,
    };
    this.#rebuild = rebuild;
    return rebuild;
  }

  #follow(after: bigint, state: ProjectionState): void {
    const generation = ++this.#generation;
    this.#state = state;
    this.#error = null;
    this.#waiters.reset(after);
    this.#persisted = after;
    const subscription = this.#store.subscribe(
      {
        after,
        batchSize: state === 'rebuilding' || after === 0n ? this.#rebuildBatchSize : this.#batchSize,
        onCaughtUp: (position) => {
          if (generation === this.#generation) this.#caughtUp(position);
        },
      },
      (events) => this.#applyBatch(events, generation),
    );
    this.#subscription = subscription;
    subscription.done.then(
      () => undefined,
      (error: unknown) => {
        if (generation === this.#generation) this.#fail(error);
      },
    );
  }

  async #applyBatch(events: readonly RecordedEvent<E>[], generation: number): Promise<void> {
    const { name, version } = this.#projection;
    const last = events.at(-1)!.globalPosition;
    const status = this.#state === 'rebuilding' ? 'rebuilding' : 'active';
    if (status === 'active' && this.#idleCheckpointIntervalMs > 0 && this.#ignoresAll(events)) {
      if (generation !== this.#generation) return;
      this.#waiters.advance(last);
      this.#scheduleIdleFlush(generation);
      return;
    }
    const expected = this.#persisted;
    const position = await this.#client.transaction(async (tx) => {
      const checkpoint = await lockCheckpoint(tx, name);
      if (!checkpoint) throw new ProjectionConflictError(name, 'its checkpoint row was deleted');
      if (checkpoint.version !== version)
        throw new ProjectionConflictError(name, `the checkpoint belongs to version ${checkpoint.version}, this runner is version ${version}`);
      if (checkpoint.position < expected)
        throw new ProjectionConflictError(name, `the checkpoint went back from ${expected} to ${checkpoint.position}: another process reset it`);
      // Another runner of the same projection may have applied part of this batch already.
      const fresh = events.filter(
        (e) => e.globalPosition > checkpoint.position && (this.#handles === null || this.#handles.has(e.type)),
      );
      if (fresh.length > 0) await this.#projection.handle(fresh, tx);
      const next = last > checkpoint.position ? last : checkpoint.position;
      await advanceCheckpoint(tx, name, next, status);
      return next;
    });
    if (generation !== this.#generation) return;
    this.#persisted = position;
    this.#cancelIdleFlush();
    const rebuild = this.#rebuild;
    // Report before releasing waiters, so whoever waited for a position has also seen its progress.
    if (rebuild) {
      if (position >= rebuild.meter.head) {
        // Progress is cosmetic: a failed head read keeps the old head rather than failing the batch.
        rebuild.meter.head = await this.#store.headPosition().catch(() => rebuild.meter.head);
      }
      this.#report(rebuild, rebuild.meter.record(events.length, position));
      if (generation !== this.#generation) return;
    }
    this.#waiters.advance(position);
  }

  #ignoresAll(events: readonly RecordedEvent<E>[]): boolean {
    const handles = this.#handles;
    return handles !== null && !events.some((e) => handles.has(e.type));
  }

  #scheduleIdleFlush(generation: number): void {
    if (this.#idleFlushTimer !== null) return;
    this.#idleFlushTimer = setTimeout(() => {
      this.#idleFlushTimer = null;
      if (generation !== this.#generation || this.#idleFlush !== null) return;
      const flush = this.#persistIdlePosition().finally(() => {
        this.#idleFlush = null;
      });
      this.#idleFlush = flush;
      this.#track(flush);
    }, this.#idleCheckpointIntervalMs);
    // A pending checkpoint write must not keep the process alive; close() writes it anyway.
    this.#idleFlushTimer.unref();
  }

  #cancelIdleFlush(): void {
    if (this.#idleFlushTimer === null) return;
    clearTimeout(this.#idleFlushTimer);
    this.#idleFlushTimer = null;
  }

  /**
   * Writes the in-memory position when idle batches moved it past the row.
   * Never fails the projection: a lost write only means re-reading ignored events after a restart.
   */
  async #persistIdlePosition(): Promise<void> {
    const position = this.#waiters.position;
    const persisted = this.#persisted;
    if (position <= persisted) return;
    const generation = this.#generation;
    try {
      const written = await advanceIdleCheckpoint(this.#client, this.#projection.name, this.#projection.version, position, persisted);
      // Unwritten (row ahead, moved back, or not active): the next writing batch's lock check sorts it out.
      if (written && generation === this.#generation && position > this.#persisted) this.#persisted = position;
    } catch (error) {
      this.#log.warn({ err: error, position }, 'could not persist the checkpoint past ignored events; a restart re-reads them');
    }
  }

  #caughtUp(position: bigint): void {
    const rebuild = this.#rebuild;
    if (!rebuild) {
      if (this.#state === 'catching_up') this.#log.info({ position }, 'caught up; live');
      this.#state = 'live';
      return;
    }
    this.#rebuild = null;
    this.#state = 'live';
    if (rebuild.lastReported !== position) this.#report(rebuild, rebuild.meter.record(0, position));
    this.#log.info({ position }, 'rebuild caught up; live');
    this.#track(
      markActive(this.#client, this.#projection.name, this.#projection.version).then(
        () => rebuild.resolve(),
        (error: unknown) => {
          rebuild.reject(new ProjectionFailedError(this.name, error));
          this.#fail(error);
        },
      ),
    );
  }

  #report(rebuild: Rebuild, progress: RebuildProgress): void {
    rebuild.lastReported = progress.position;
    for (const listener of rebuild.listeners) {
      try {
        listener(progress);
      } catch (error) {
        // A broken progress bar must not stop the rebuild.
        this.#log.warn({ err: error }, 'rebuild progress listener threw');
      }
    }
  }

  #fail(cause: unknown): void {
    if (this.#state === 'failed' || this.#closed) return;
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.#state = 'failed';
    this.#error = error;
    const subscription = this.#subscription;
    this.#subscription = null;
    ++this.#generation;
    this.#cancelIdleFlush();
    // Usually the subscription already stopped on the thrown batch; close() covers failures found elsewhere.
    if (subscription) this.#track(subscription.close());
    this.#log.error({ err: error, position: this.#waiters.position }, 'projection failed; stopped');
    const failed = new ProjectionFailedError(this.name, error);
    this.#waiters.rejectAll(failed);
    this.#rebuild?.reject(failed);
    this.#rebuild = null;
    this.#track(
      markFailed(this.#client, this.#projection.name, this.#projection.version, error.message).catch((e: unknown) =>
        this.#log.warn({ err: e }, 'could not record the failure in the checkpoint table'),
      ),
    );
  }

  async #stopSubscription(): Promise<void> {
    const subscription = this.#subscription;
    if (subscription) {
      this.#subscription = null;
      ++this.#generation;
      await subscription.close();
      // A subscription that failed while closing was already reported through #fail (or is moot now).
      await subscription.done.catch(() => undefined);
    }
    this.#cancelIdleFlush();
    // A rebuild resets the row next: no idle write of the old run may land after that.
    await this.#idleFlush;
  }

  #track(write: Promise<void>): void {
    this.#pendingWrites.add(write);
    void write.finally(() => this.#pendingWrites.delete(write));
  }
}
