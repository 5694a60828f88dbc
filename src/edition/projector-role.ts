import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.ts';
import { domainCatalogue, type DomainEvent } from '../events/domain/domain-catalogue.ts';
import { logger, type Logger } from '../logging/logger.ts';
import { createMetricsRegistry, type Registry } from '../metrics/metrics-registry.ts';
import type { KafkaConfig } from '../pool/kafka-config.ts';
import { Projector } from '../pool/projector/projector.ts';
import { domainProjections } from '../projections/domain-projections.ts';
import type { SqlProjection } from '../projections/framework/index.ts';
import { resolveAdminToken } from './admin-token.ts';
import { openEventStorage } from './event-storage.ts';
import { startHealthOnlyHttp } from './health-only-http.ts';
import type { PoolMember } from './pool-member.ts';
import { projectorLagCheck } from './projector-lag-check.ts';
import { ShutdownStack } from './shutdown-stack.ts';

export interface ProjectorRoleOptions {
  /** Default `logger('edition')`. */
  readonly logger?: Logger;
  /** Default: a new registry with process metrics. */
  readonly metrics?: Registry;
  /** Default `domainProjections`; every projector of a pool must run the same list in the same order. */
  readonly projections?: readonly SqlProjection<DomainEvent>[];
}

/**
 * `chorus serve --role projector`: the Kafka projection workers (Projector)
 * writing the read models into the shared PostgreSQL (DATABASE_URL), plus
 * GET /health reporting their lag. The log is opened only for its head
 * position (the lag's reference).
 */
export async function startProjectorRole(config: Config, kafka: KafkaConfig, options: ProjectorRoleOptions = {}): Promise<PoolMember> {
  const startedAt = performance.now();
  const log = options.logger ?? logger('edition');
  const adminToken = resolveAdminToken(config.adminToken);
  const parts = new ShutdownStack(log);
  try {
    const projections = options.projections ?? domainProjections;
    // Each projection applies its batches in a transaction of its own: one connection each (at least the default 5).
    const storage = await openEventStorage(config, { readModelConnections: Math.max(5, projections.length) });
    parts.push('event storage', storage);
    const projector = new Projector<DomainEvent>({
      kafka,
      client: storage.readModel,
      catalogue: domainCatalogue,
      // The relay publishes the sealed log; the workers open personal fields with the shared key store.
      keys: storage.dataKeys,
      projections,
      ...(config.nodeId ? { workerId: config.nodeId } : {}),
      logger: log.child({ module: 'pool-projector' }),
    });
    parts.push('projector', projector);
    await projector.start();
    const http = await startHealthOnlyHttp({
      config,
      adminToken: adminToken.token,
      healthChecks: [projectorLagCheck({ workers: () => projector.status(), client: storage.readModel, head: () => storage.store.headPosition() })],
      metrics: options.metrics ?? createMetricsRegistry(),
      logger: log.child({ module: 'api' }),
      startedAt,
    });
    parts.push('http', http.server);
    log.info({ role: 'projector', worker: projector.workerId, topic: kafka.topic, httpUrl: http.url }, 'Chorus projector ready');
    return { role: 'projector', httpUrl: http.url, adminToken: adminToken.token, adminTokenEphemeral: adminToken.ephemeral, close: () => parts.close() };
  } catch (error) {
    await parts.close().catch(() => undefined);
    throw error;
  }
}
