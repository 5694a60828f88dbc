import type { HealthCheck, HealthCheckResult } from '../api/routes/health-routes.ts';
import type { RelayStatus } from '../pool/relay/event-relay.ts';
import { DEFAULT_MAX_PROJECTION_LAG } from './projection-lag-check.ts';

export interface RelayLagCheckOptions {
  readonly status: () => Promise<RelayStatus>;
  /** Default DEFAULT_MAX_PROJECTION_LAG (10,000 events): the same staleness bound as the read models'. */
  readonly maxLag?: bigint;
}

/**
 * GET /health's `relay` check: not ready once the relay failed, or while the
 * broker has acknowledged less than the log's head minus `maxLag` (a broker
 * outage shows here as growing lag while the relay retries).
 */
export function relayLagCheck(options: RelayLagCheckOptions): HealthCheck {
  const maxLag = options.maxLag ?? DEFAULT_MAX_PROJECTION_LAG;
  return {
    name: 'relay',
    async check(): Promise<HealthCheckResult> {
      const s = await options.status();
      if (s.state === 'failed') return { ok: false, detail: `failed: ${s.error ?? 'unknown error'}` };
      if (s.state !== 'running') return { ok: false, detail: s.state };
      if (s.lag > maxLag) return { ok: false, detail: `more than ${maxLag} events behind (lag ${s.lag} events to ${s.topic})` };
      return { ok: true, detail: `lag ${s.lag} events (published ${s.position} of ${s.head} to ${s.topic})` };
    },
  };
}
