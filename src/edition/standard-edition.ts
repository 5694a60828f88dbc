import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.ts';
import { createHttpServer } from '../api/http-server.ts';
import { logger, type Logger } from '../logging/logger.ts';
import { createMetricsRegistry, type Registry } from '../metrics/metrics-registry.ts';
import { resolveAdminToken } from './admin-token.ts';
import { chorusVersion } from './chorus-version.ts';
import type { EditionRole } from './edition-role.ts';
import { ShutdownStack } from './shutdown-stack.ts';


export interface StandardEditionOptions {
  /** Default `all`. */
  readonly role?: EditionRole;
  /** Default `logger('edition')`; when given, the parts log through children of it (`module: 'api'`...). */
  readonly logger?: Logger;
  /** Default: a new registry with process metrics. */
  readonly metrics?: Registry;
}

export interface StandardEdition {
  readonly role: EditionRole;
  /** Where the HTTP API answers, e.g. `http://127.0.0.1:8080` (a wildcard bind address is shown as loopback). */
  readonly httpUrl: string;
  readonly adminToken: string;
  /** True when the admin token was generated for this process (CHORUS_ADMIN_TOKEN unset). */
  readonly adminTokenEphemeral: boolean;
  /** Stops everything in reverse start order; idempotent. */
  close(): Promise<void>;
}

function urlHost(bindHost: string): string {
  if (bindHost === '0.0.0.0') return '127.0.0.1';
  if (bindHost === '::') return '[::1]';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}

/** The port actually bound (HTTP_PORT=0 lets the system choose). */
function boundPort(address: AddressInfo | string | null): number {
  if (address === null || typeof address === 'string') throw new Error('the HTTP server is not listening on a TCP port');
  return address.port;
}

/**
 * Starts a Standard Edition pool member. Parts start in dependency order and
 * the HTTP API last, so it never answers before what it serves is ready; on a
 * start failure whatever was opened is closed again before the error propagates.
 */
export async function startStandardEdition(config: Config, options: StandardEditionOptions = {}): Promise<StandardEdition> {
  const role = options.role ?? 'all';
  const log = options.logger ?? logger('edition');
  const metrics = options.metrics ?? createMetricsRegistry();
  const startedAt = performance.now();
  const adminToken = resolveAdminToken(config.adminToken);
  const parts = new ShutdownStack(log);

  // Where split roles will choose their parts; exhaustive so adding a role forces a decision here.
  switch (role) {
    case 'all':
      break;
    default: {
      const unknownRole: never = role;
      throw new Error(`unknown edition role ${String(unknownRole)}`);
    }
  }

  try {
    // Seams for the parts still to come, in this order, each pushed on `parts`:
    //  1. the event store for config.store (EventStore has close());
    //  2. the projection runner subscribed to it; its lag becomes a HealthCheck;
    //  3. the SIP engine on config.sipPort;
    //  4. domain route plugins and error mappers passed to createHttpServer below.
    const http = createHttpServer({
      config: { adminToken: adminToken.token, store: config.store },
      version: chorusVersion(),
      logger: options.logger ? options.logger.child({ module: 'api' }) : logger('api'),
      metrics,
      startedAt,
    });
    parts.push('http', http);
    await http.listen({ port: config.httpPort, host: config.httpHost });

    const httpUrl = `http://${urlHost(config.httpHost)}:${boundPort(http.server.address())}`;
    log.info({ role, store: config.store, httpUrl }, 'Chorus Standard Edition ready');

    return {
      role,
      httpUrl,
      adminToken: adminToken.token,
      adminTokenEphemeral: adminToken.ephemeral,
      close: () => parts.close(),
    };
  } catch (error) {
    // Close failures were logged by the stack; the start failure is the one to report.
    await parts.close().catch(() => undefined);
    throw error;
  }
}
