import type { EventShape } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { Logger } from '../../logging/logger.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { InvalidProjectionDefinitionError, ProjectionStoppedError, UnknownProjectionError } from './errors.ts';
import { ProjectionRunner } from './projection-runner.ts';
import type { ProjectionStatus } from './projection-status.ts';
import type { RebuildProgressListener } from './rebuild-progress.ts';
import type { SqlProjection } from './sql-projection.ts';

/** What the manager needs of an in-memory view (InMemoryView fits, whatever its state type). */
export interface ManagedView {
  readonly name: string;
  start(): Promise<void>;
  status(): Promise<ProjectionStatus>;
  waitForPosition(position: bigint, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface ProjectionManagerOptions<E extends EventShape> {
  readonly store: EventStore<E>;
  /** The read-model database shared by every SQL projection. */
  readonly client: SqlClient;
  readonly projections: readonly SqlProjection<E>[];
  /** In-memory views started, reported and closed with the projections (never rebuilt: they replay on start). */
  readonly views?: readonly ManagedView[];
  readonly batchSize?: number;
  /** See ProjectionRunnerOptions.rebuildBatchSize. */
  readonly rebuildBatchSize?: number;
  /** See ProjectionRunnerOptions.idleCheckpointIntervalMs (default 5,000 ms). */
  readonly idleCheckpointIntervalMs?: number;
  /** Progress of rebuilds started by a version change on start, per projection. */
  readonly onRebuildProgress?: (name: string, ...progress: Parameters<RebuildProgressListener>) => void;
  readonly clock?: () => number;
  readonly logger?: Logger;
}

/**
 * Runs a set of SQL projections (one ProjectionRunner each) and in-memory
 * views over one store and one read-model client: start them together, report
 * their status, rebuild one by name, wait for all to reach a position, and
 * close them all. It does not own the store or the client: closing them is the
 * caller's job, after `close()` here.
 */
export class ProjectionManager<E extends EventShape> {
  readonly #runners = new Map<string, ProjectionRunner<E>>();
  readonly #views = new Map<string, ManagedView>();
  #started: Promise<void> | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ProjectionManagerOptions<E>) {
    const { onRebuildProgress } = options;
    for (const projection of options.projections) {
      if (this.#runners.has(projection.name))
        throw new InvalidProjectionDefinitionError(projection.name, 'two projections share this name');
      this.#runners.set(
        projection.name,
        new ProjectionRunner({
          store: options.store,
          client: options.client,
          projection,
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          ...(options.rebuildBatchSize !== undefined ? { rebuildBatchSize: options.rebuildBatchSize } : {}),
          ...(options.idleCheckpointIntervalMs !== undefined ? { idleCheckpointIntervalMs: options.idleCheckpointIntervalMs } : {}),
          ...(onRebuildProgress ? { onRebuildProgress: (p) => onRebuildProgress(projection.name, p) } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      );
    }
    for (const view of options.views ?? []) {
      if (this.#views.has(view.name) || this.#runners.has(view.name))
        throw new InvalidProjectionDefinitionError(view.name, 'a projection or view already has this name');
      this.#views.set(view.name, view);
    }
  }

  get names(): readonly string[] {
    return [...this.#runners.keys(), ...this.#views.keys()];
  }

  /**
   * Starts every projection then every view; resolves once all are subscribed.
   * If one cannot start, the others are closed and the error is rethrown.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      if (this.#closed) throw new ProjectionStoppedError('projection manager');
      try {
        // One at a time: the runners' DDL and the checkpoint-table creation would only queue on the database anyway.
        for (const runner of this.#runners.values()) await runner.start();
        for (const view of this.#views.values()) await view.start();
      } catch (error) {
        await this.close();
        throw error;
      }
    })();
    return this.#started;
  }

  runner(name: string): ProjectionRunner<E> {
    const runner = this.#runners.get(name);
    if (!runner) throw new UnknownProjectionError(name);
    return runner;
  }

  /** Every projection's then every view's status, in registration order. */
  status(): Promise<ProjectionStatus[]> {
    return Promise.all([...[...this.#runners.values()].map((r) => r.status()), ...[...this.#views.values()].map((v) => v.status())]);
  }

  rebuild(name: string, onProgress?: RebuildProgressListener): Promise<void> {
    return this.runner(name).rebuild(onProgress);
  }

  /** Read-your-writes across everything: resolves once every projection and view reflects `position`. */
  async waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    await Promise.all([
      ...[...this.#runners.values()].map((r) => r.waitForPosition(position, timeoutMs)),
      ...[...this.#views.values()].map((v) => v.waitForPosition(position, timeoutMs)),
    ]);
  }

  /** Idempotent; closes every view and runner (all are tried even if one throws; the first error is rethrown). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      const results = await Promise.allSettled([
        ...[...this.#views.values()].map((v) => v.close()),
        ...[...this.#runners.values()].map((r) => r.close()),
      ]);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    })();
    return this.#closing;
  }
}
