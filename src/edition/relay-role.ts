import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.ts';
import { logger, type Logger } from '../logging/logger.ts';
import { createMetricsRegistry, type Registry } from '../metrics/metrics-registry.ts';
import type { KafkaConfig } from '../pool/kafka-config.ts';
import { EventRelay } from '../pool/relay/event-relay.ts';
import { resolveAdminToken } from './admin-token.ts';
import { openEventStorage } from './event-storage.ts';
import { startHealthOnlyHttp } from './health-only-http.ts';
import type { PoolMember } from './pool-member.ts';
import { relayLagCheck } from './relay-lag-check.ts';
import { ShutdownStack } from './shutdown-stack.ts';

export interface RelayRoleOptions {
  /** Default `logger('edition')`. */
  readonly logger?: Logger;
  /** Default: a new registry with process metrics. */
  readonly metrics?: Registry;
}

/**
 * `chorus serve --role relay`: the PostgreSQL log published to Kafka
 * (EventRelay), plus GET /health reporting the relay's lag. Nothing else: no
 * projections, SIP or API. Config must be CHORUS_STORE=postgres
 * (checkRoleRequirements): the relay's checkpoint lives next to the log.
 */
export async function startRelayRole(config: Config, kafka: KafkaConfig, options: RelayRoleOptions = {}): Promise<PoolMember> {
  const startedAt = performance.now();
  const log = options.logger ?? logger('edition');
  const adminToken = resolveAdminToken(config.adminToken);
  const parts = new ShutdownStack(log);
  try {
    const storage = await openEventStorage(config);
    parts.push('event storage', storage);
    // The read-model client of a postgres store is a pool on the LOG's database: where the checkpoint belongs.
    // The log as stored (personal fields sealed): Kafka never holds what a destroyed key would erase.
    const relay = new EventRelay({ store: storage.sealedLog, client: storage.readModel, kafka, logger: log.child({ module: 'pool-relay' }) });
    parts.push('relay', relay);
    await relay.start();
    const http = await startHealthOnlyHttp({
      config,
      adminToken: adminToken.token,
      healthChecks: [relayLagCheck({ status: () => relay.status() })],
      metrics: options.metrics ?? createMetricsRegistry(),
      logger: log.child({ module: 'api' }),
      startedAt,
    });
    parts.push('http', http.server);
    log.info({ role: 'relay', topic: kafka.topic, httpUrl: http.url }, 'Chorus relay ready');
    return { role: 'relay', httpUrl: http.url, adminToken: adminToken.token, adminTokenEphemeral: adminToken.ephemeral, close: () => parts.close() };
  } catch (error) {
    await parts.close().catch(() => undefined);
    throw error;
  }
}
