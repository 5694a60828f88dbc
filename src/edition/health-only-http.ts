import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.ts';
import { createHttpServer, type ApiServer } from '../api/http-server.ts';
import type { HealthCheck } from '../api/routes/health-routes.ts';
import type { Logger } from '../logging/logger.ts';
import type { Registry } from '../metrics/metrics-registry.ts';
import { chorusVersion } from './chorus-version.ts';

export interface HealthOnlyHttpOptions {
  readonly config: Pick<Config, 'store' | 'httpPort' | 'httpHost'>;
  readonly adminToken: string;
  readonly healthChecks: readonly HealthCheck[];
  readonly metrics: Registry;
  readonly logger: Logger;
  /** `performance.now()` at role start. Default: now. */
  readonly startedAt?: number;
}

export interface HealthOnlyHttp {
  readonly server: ApiServer;
  readonly url: string;
}

/**
 * The HTTP server of a role with no API of its own (relay, projector): only the
 * built-in routes (GET /health with the role's lag checks, /metrics), so an
 * orchestrator can probe readiness like a front end's.
 */
export async function startHealthOnlyHttp(options: HealthOnlyHttpOptions): Promise<HealthOnlyHttp> {
  const server = createHttpServer({
    config: { adminToken: options.adminToken, store: options.config.store },
    version: chorusVersion(),
    logger: options.logger,
    metrics: options.metrics,
    startedAt: options.startedAt ?? performance.now(),
    healthChecks: options.healthChecks,
    routes: [],
  });
  try {
    await server.listen({ port: options.config.httpPort, host: options.config.httpHost });
  } catch (error) {
    await server.close().catch(() => undefined);
    throw error;
  }
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the HTTP server is not listening on a TCP port');
  const host = options.config.httpHost === '0.0.0.0' ? '127.0.0.1' : options.config.httpHost === '::' ? '[::1]' : options.config.httpHost;
  return { server, url: `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${address.port}` };
}
