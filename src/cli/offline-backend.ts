import type { ProjectionsStatus, ProjectionStatus } from '../api/contract/projections-contract.ts';
import type { ReplayQuery, ReplayResult } from '../api/contract/replay-contract.ts';
import type { EventShape } from '../events/envelope.ts';
import type { EventStore } from '../events/event-store.ts';
import type { Logger } from '../logging/logger.ts';
import { ProjectionManager, readCheckpoint, type SqlProjection } from '../projections/framework/index.ts';
import type { RebuildProgress } from '../projections/framework/rebuild-progress.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { OfflineBackend, OfflineRebuildResult } from './chorus-backend.ts';
import { OfflineUnavailableError } from './offline-errors.ts';

export interface OfflineChorusBackendOptions<E extends EventShape> {
  /** The event log. */
  readonly store: EventStore<E>;
  /** The read-model database, where the server keeps the projections' tables and checkpoints. */
  readonly client: SqlClient;
  /** Closes the store and the client (they may share one PGlite); called once by `close()`. */
  readonly release: () => Promise<void>;
  /** The projections `status` lists and `rebuild` may name (the domain registry in production). */
  readonly projections: readonly SqlProjection<E>[];
  /** Handed to the projection runners. The CLI passes a silent one: it reports failures itself. */
  readonly logger: Logger;
  /** As-of replay over `store`; without it `replay` reports that it is unavailable offline. */
  readonly replay?: (query: ReplayQuery) => Promise<ReplayResult>;
}

/** Whether the checkpoint table exists, without creating it: `status` must write nothing. */
const CHECKPOINT_TABLE_EXISTS = /* sql */ `SELECT to_regclass('chorus_projection_checkpoints') IS NOT NULL AS present`;

/**
 * The projection commands run directly on the event log and its read-model
 * database, in this process. Used only when no server answered: a server owns
 * the log (PGlite is single-process) and runs the same projections live.
 */
export class OfflineChorusBackend<E extends EventShape> implements OfflineBackend {
  readonly #store: EventStore<E>;
  readonly #client: SqlClient;
  readonly #projections: readonly SqlProjection<E>[];
  readonly #logger: Logger;
  readonly #release: () => Promise<void>;
  readonly #replay: ((query: ReplayQuery) => Promise<ReplayResult>) | undefined;
  #closing: Promise<void> | null = null;

  constructor(options: OfflineChorusBackendOptions<E>) {
    this.#store = options.store;
    this.#client = options.client;
    this.#projections = options.projections;
    this.#logger = options.logger;
    this.#release = options.release;
    this.#replay = options.replay;
  }

  replay(query: ReplayQuery): Promise<ReplayResult> {
    if (this.#replay) return this.#replay(query);
    return Promise.reject(
      new OfflineUnavailableError('replay is not available offline for this log; run it against a server (`chorus serve`, CHORUS_URL)'),
    );
  }

  /**
   * Read from the checkpoint rows, not from started runners: starting a runner
   * would apply events, and a status query must change nothing.
   */
  async projectionsStatus(): Promise<ProjectionsStatus> {
    const head = await this.#store.headPosition();
    const { rows } = await this.#client.query<{ present: boolean }>(CHECKPOINT_TABLE_EXISTS);
    const tablePresent = rows[0]?.present === true;
    const projections: ProjectionStatus[] = [];
    for (const projection of this.#projections) {
      const checkpoint = tablePresent ? await readCheckpoint(this.#client, projection.name) : null;
      const position = checkpoint?.position ?? 0n;
      projections.push({
        name: projection.name,
        status: statusText(checkpoint?.status ?? null, checkpoint?.version ?? null, projection.version),
        position: String(position),
        lag: Number(head > position ? head - position : 0n),
        version: projection.version,
        ...(checkpoint?.error ? { error: checkpoint.error } : {}),
      });
    }
    return { headPosition: String(head), projections };
  }

  /**
   * Only the named projection's runner is created and driven: the others are
   * left exactly as they are. Resolves once the rebuild reached the head.
   */
  async rebuildProjection(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<OfflineRebuildResult> {
    const projection = this.#projections.find((p) => p.name === name);
    if (projection === undefined) {
      const known = this.#projections.map((p) => p.name).join(', ') || 'none registered';
      throw new OfflineUnavailableError(`no projection named ${JSON.stringify(name)} (known: ${known})`);
    }
    const manager = new ProjectionManager<E>({ store: this.#store, client: this.#client, projections: [projection], logger: this.#logger });
    try {
      await manager.rebuild(name, onProgress);
    } finally {
      await manager.close();
    }
    const checkpoint = await readCheckpoint(this.#client, name);
    return { name, position: checkpoint?.position ?? 0n };
  }

  /** Idempotent; releases the log and the read-model database. */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }
}

/** The checkpoint row's status, or what the next server start will do with the projection. */
function statusText(status: 'active' | 'rebuilding' | 'failed' | null, storedVersion: number | null, version: number): string {
  if (status === null) return 'new';
  if (storedVersion !== version) return `outdated (v${storedVersion} stored, v${version} defined)`;
  return status;
}
