import type { HealthCheck, HealthCheckResult } from '../api/routes/health-routes.ts';
import type { ProjectionStatus } from '../projections/framework/index.ts';

/** Default readiness bound: a read model further behind than this many events is too stale to serve. */
export const DEFAULT_MAX_PROJECTION_LAG = 10_000n;

export interface ProjectionLagCheckOptions {
  /** Where the statuses come from (the edition's ProjectionManager). */
  readonly status: () => Promise<readonly ProjectionStatus[]>;
  /** Default DEFAULT_MAX_PROJECTION_LAG (10,000 events). */
  readonly maxLag?: bigint;
}

/**
 * GET /health's `projections` check: not ready while a projection or view has
 * failed, or lags the log by more than `maxLag` events. A rebuild the operator
 * asked for is expected to lag and does not count.
 */
export function projectionLagCheck(options: ProjectionLagCheckOptions): HealthCheck {
  const maxLag = options.maxLag ?? DEFAULT_MAX_PROJECTION_LAG;
  return {
    name: 'projections',
    async check(): Promise<HealthCheckResult> {
      const statuses = await options.status();
      if (statuses.length === 0) return { ok: true, detail: 'no projections' };
      const failed = statuses.filter((s) => s.state === 'failed').map((s) => s.name);
      if (failed.length > 0) return { ok: false, detail: `failed: ${failed.join(', ')}` };
      const worst = statuses.reduce((a, b) => (b.lag > a.lag ? b : a));
      const behind = statuses.filter((s) => s.state !== 'rebuilding' && s.lag > maxLag).map((s) => s.name);
      if (behind.length > 0) return { ok: false, detail: `more than ${maxLag} events behind: ${behind.join(', ')}` };
      return { ok: true, detail: `max lag ${worst.lag} events (${worst.name})` };
    },
  };
}
