import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Logger } from '../../logging/logger.ts';

/**
 * One readiness probe shown by GET /health, e.g. "projection presence is at
 * most 100 events behind the log". Probes must answer quickly; one that takes
 * longer than HEALTH_CHECK_TIMEOUT_MS counts as failed.
 */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<HealthCheckResult>;
}

export interface HealthCheckResult {
  readonly ok: boolean;
  /** Short, non-sensitive explanation (GET /health needs no token). */
  readonly detail?: string;
}

export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']).describe('`unavailable` (HTTP 503) when a readiness check fails'),
    store: z.enum(['pglite', 'postgres', 'eventstoredb']),
    version: z.string(),
    uptimeSeconds: z.number().nonnegative(),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;

export interface HealthRoutesOptions {
  readonly store: Health['store'];
  readonly version: string;
  /** `performance.now()` when the edition started. */
  readonly startedAt: number;
  readonly checks: readonly HealthCheck[];
  readonly log: Logger;
}

async function runCheck(check: HealthCheck, log: Logger): Promise<Health['checks'][number]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms` }), HEALTH_CHECK_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([check.check(), timeout]);
    return { name: check.name, ok: result.ok, ...(result.detail === undefined ? {} : { detail: result.detail }) };
  } catch (error) {
    // The failure goes to the log, not to the unauthenticated caller.
    log.warn({ err: error, check: check.name }, 'health check failed');
    return { name: check.name, ok: false, detail: 'check failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** GET /health: liveness plus readiness checks; public so load balancers need no token. */
export function healthRoutes(options: HealthRoutesOptions): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { publicAccess: true },
        schema: {
          summary: 'Liveness and readiness',
          tags: ['system'],
          response: { 200: HealthSchema, 503: HealthSchema },
        },
      },
      async (_request, reply) => {
        const checks = await Promise.all(options.checks.map((check) => runCheck(check, options.log)));
        const ready = checks.every((c) => c.ok);
        const health: Health = {
          status: ready ? 'ok' : 'unavailable',
          store: options.store,
          version: options.version,
          uptimeSeconds: Math.floor((performance.now() - options.startedAt) / 1000),
          checks,
        };
        return reply.code(ready ? 200 : 503).send(health);
      },
    );
  };
}
