import type { HealthCheck, HealthCheckResult } from '../api/routes/health-routes.ts';
import type { ProjectorWorkerStatus } from '../pool/projector/projector.ts';
import { readCheckpoint } from '../projections/framework/projection-checkpoints.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { DEFAULT_MAX_PROJECTION_LAG } from './projection-lag-check.ts';

export interface ProjectorLagCheckOptions {
  /** This process's workers (the projector's status()). */
  readonly workers: () => readonly ProjectorWorkerStatus[];
  /** The shared read-model database: its checkpoints say how far each projection is, whichever process runs it. */
  readonly client: SqlClient;
  /** The log's head position. */
  readonly head: () => Promise<bigint>;
  /** Default DEFAULT_MAX_PROJECTION_LAG (10,000 events). */
  readonly maxLag?: bigint;
}

/**
 * GET /health's `projector` check: not ready when one of this process's
 * workers failed, or when a projection this process runs lags the log by more
 * than `maxLag`. The lag is read from the projection's checkpoint row, the
 * truth shared by all projectors (a worker's own position is unknown until its
 * first batch). Projections held by another projector are reported, not judged.
 */
export function projectorLagCheck(options: ProjectorLagCheckOptions): HealthCheck {
  const maxLag = options.maxLag ?? DEFAULT_MAX_PROJECTION_LAG;
  return {
    name: 'projector',
    async check(): Promise<HealthCheckResult> {
      const workers = options.workers();
      const failed = workers.filter((w) => w.state === 'failed').map((w) => w.name);
      if (failed.length > 0) return { ok: false, detail: `failed: ${failed.join(', ')}` };
      const head = await options.head();
      const mine = workers.filter((w) => w.assigned);
      const lags = await Promise.all(
        mine.map(async (w) => {
          const checkpoint = await readCheckpoint(options.client, w.name);
          const position = checkpoint?.position ?? 0n;
          return { name: w.name, lag: head > position ? head - position : 0n };
        }),
      );
      const behind = lags.filter((l) => l.lag > maxLag).map((l) => l.name);
      if (behind.length > 0) return { ok: false, detail: `more than ${maxLag} events behind: ${behind.join(', ')}` };
      const worst = lags.reduce<{ name: string; lag: bigint } | null>((a, b) => (a === null || b.lag > a.lag ? b : a), null);
      return {
        ok: true,
        detail: `runs ${mine.length} of ${workers.length} projections${worst ? `; max lag ${worst.lag} events (${worst.name})` : ''}`,
      };
    },
  };
}
