import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.ts';
import { createHttpServer, type ApiRoutePlugin } from '../api/http-server.ts';
import { conferenceRoutes } from '../api/routes/conference-routes.ts';
import { imRoutes } from '../api/routes/im-routes.ts';
import { projectionsRoutes } from '../api/routes/projections-routes.ts';
import { userPresenceBlockRoutes } from '../api/routes/user-presence-block-routes.ts';
import { userPresenceRoutes } from '../api/routes/user-presence-routes.ts';
import { userVoiceRoutes } from '../api/routes/user-voice-routes.ts';
import { usersRoutes } from '../api/routes/users-routes.ts';
import { voiceConfigRoutes } from '../api/routes/voice-config-routes.ts';
import { AggregateCache } from '../commands/aggregate-cache.ts';
import { CommandDispatcher } from '../commands/dispatch/command-dispatcher.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import { logger, type Logger } from '../logging/logger.ts';
import { createMetricsRegistry, type Registry } from '../metrics/metrics-registry.ts';
import { domainProjections } from '../projections/domain-projections.ts';
import { ProjectionManager, type SqlProjection } from '../projections/framework/index.ts';
import { resolveAdminToken } from './admin-token.ts';
import { chorusVersion } from './chorus-version.ts';
import { formatDemoBanner, registrarHost } from './demo-banner.ts';
import { provisionDemoDomain, type DemoAccount } from './demo-domain.ts';
import type { EditionRole } from './edition-role.ts';
import { openEventStorage } from './event-storage.ts';
import { projectionLagCheck } from './projection-lag-check.ts';
import { createHotPathViews } from '../projections/hot-path-views.ts';
import { queryCallsRoutes } from '../api/routes/query-calls-routes.ts';
import { queryCdrRoutes } from '../api/routes/query-cdr-routes.ts';
import { queryConferencesRoutes } from '../api/routes/query-conferences-routes.ts';
import { queryPresenceRoutes } from '../api/routes/query-presence-routes.ts';
import { queryRegistrationsRoutes } from '../api/routes/query-registrations-routes.ts';
import { queryTimelineRoutes } from '../api/routes/query-timeline-routes.ts';
import { analyticsRoutes } from '../api/routes/analytics-routes.ts';
import { unifiedTimelineRoutes } from '../api/routes/unified-timeline-routes.ts';
import { exportRoutes } from '../api/routes/export-routes.ts';
import { replayRoutes } from '../api/routes/replay-routes.ts';
import { auditRoutes } from '../api/routes/audit-routes.ts';
import { loadAuditConfig, type AuditConfig } from '../audit/audit-config.ts';
import { startChainKeeper } from '../audit/start-chain-keeper.ts';
import { startSipPlane, type SipPlane } from './sip-plane.ts';
import type { SipFrontEndConfig } from '../realtime/front-end/sip-front-end-config.ts';
import { ShutdownStack } from './shutdown-stack.ts';
import type { KafkaConfig } from '../pool/kafka-config.ts';
import { KafkaViewFeed } from '../pool/frontend/kafka-view-feed.ts';
import { domainCatalogue } from '../events/domain/domain-catalogue.ts';
import { ensureCheckpointTable } from '../projections/framework/projection-checkpoints.ts';
import { privacyRoutes } from '../api/routes/privacy-routes.ts';
import { PrivacyService } from '../privacy/privacy-service.ts';


export interface StandardEditionOptions {
  /** Default `all`. `frontend` runs no SQL projections and feeds its views from Kafka (needs `kafka`). */
  readonly role?: Extract<EditionRole, 'all' | 'frontend'>;
  /** The pool's Kafka settings; required for the `frontend` role, unused by `all`. */
  readonly kafka?: KafkaConfig;
  /** Default `logger('edition')`; when given, the parts log through children of it (`module: 'api'`...). */
  readonly logger?: Logger;
  /** Default: a new registry with process metrics. */
  readonly metrics?: Registry;
  /** Where the demo-domain block (accounts and passwords) is printed. Default `process.stdout`. */
  readonly stdout?: NodeJS.WritableStream;
  /** The SQL read models to run. Default `domainProjections` (src/projections/domain-projections.ts). */
  readonly projections?: readonly SqlProjection<DomainEvent>[];
  /** SIP settings beyond SIP_PORT/CHORUS_DOMAIN. Default: read from the environment (`loadSipFrontEndConfig`). */
  readonly sip?: SipFrontEndConfig;
  /** Audit hash chain settings (docs/audit.md). Default: read from the environment (`loadAuditConfig`). */
  readonly audit?: AuditConfig;
}

export interface StandardEdition {
  readonly role: EditionRole;
  /** Where the HTTP API answers, e.g. `http://127.0.0.1:8080` (a wildcard bind address is shown as loopback). */
  readonly httpUrl: string;
  readonly adminToken: string;
  /** True when the admin token was generated for this process (CHORUS_ADMIN_TOKEN unset). */
  readonly adminTokenEphemeral: boolean;
  /** The event log this edition writes to (closed by close()). */
  readonly store: EventStore<DomainEvent>;
  /** Runs every command of the API (and of the SIP plane, once wired). */
  readonly dispatcher: CommandDispatcher;
  /** The domain projections and views, started. */
  readonly projections: ProjectionManager<DomainEvent>;
  /** Demo accounts provisioned by this start (CHORUS_DEMO=auto on an empty log); empty otherwise. */
  readonly demoAccounts: readonly DemoAccount[];
  /** Where SIP listens, per transport (the real ports when SIP_PORT is 0). */
  readonly sipListening: SipPlane['listening'];
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
  const audit = options.audit ?? loadAuditConfig();

  // Where split roles will choose their parts; exhaustive so adding a role forces a decision here.
  switch (role) {
    case 'all':
      break;
    case 'frontend':
      if (!options.kafka) throw new Error('the frontend role needs the Kafka settings');
      break;
    default: {
      const unknownRole: never = role;
      throw new Error(`unknown edition role ${String(unknownRole)}`);
    }
  }

  try {
    const child = (module: string): Logger => (options.logger ? options.logger.child({ module }) : logger(module));

    // 1. The event log and the read-model database (the same one, see event-storage.ts).
    const storage = await openEventStorage(config);
    parts.push('event storage', storage);
    const { store } = storage;
    // One aggregate cache per node: the API and the SIP plane write the same user streams and warm it for each other.
    const aggregates = new AggregateCache();
    const dispatcher = new CommandDispatcher({ store, node: config.nodeId ?? hostname(), aggregates });
    // A front end's views follow the log through Kafka; the projector role owns the SQL read models (docs/pool.md).
    let viewSource: EventStore<DomainEvent> = store;
    if (role === 'frontend' && options.kafka) {
      // The topic carries the sealed log: the feed opens personal fields with this node's key store.
      const feed = await KafkaViewFeed.open({ store, kafka: options.kafka, catalogue: domainCatalogue, keys: storage.dataKeys, logger: child('pool-frontend') });
      parts.push('kafka view feed', feed);
      viewSource = feed;
      // The views seed from the projector's checkpoints; before the projector's first start there is no table to read.
      await ensureCheckpointTable(storage.readModel);
    }

    // 2. Every domain projection from the registry, caught up before anything reads them.
    const projectionLog = child('projections');
    // The SIP plane's hot-path state, seeded from the projections' tables when they are active.
    const views = createHotPathViews({ store: viewSource, client: storage.readModel, logger: child('views') });
    const projections = new ProjectionManager<DomainEvent>({
      store: viewSource,
      client: storage.readModel,
      views: views.all,
      projections: role === 'frontend' ? [] : (options.projections ?? domainProjections),
      logger: projectionLog,
      onRebuildProgress: (name, p) =>
        projectionLog.info({ projection: name, position: String(p.position), head: String(p.head) }, 'rebuilding'),
    });
    await projections.start();
    parts.push('projections', projections);

    // 2b. The audit hash chain follows the log in the background (docs/audit.md).
    const chainKeeper = await startChainKeeper({ audit, store: config.store, client: storage.readModel, logger: child('audit') });
    if (chainKeeper) parts.push('audit chain keeper', chainKeeper);

    // 3. The SIP plane on config.sipPort, over the views the projection manager keeps current.
    const sip = await startSipPlane({
      config,
      store,
      views,
      aggregates,
      metrics,
      logger: child('sip'),
      ...(options.sip ? { sip: options.sip } : {}),
    });
    parts.push('sip', sip);

    // 4. The demo domain, before the API answers, so nobody races it onto an empty log.
    const demoAccounts =
      config.demo === 'auto' ? await provisionDemoDomain({ store, dispatcher, domain: config.domain, log: child('demo') }) : [];

    const clock = () => new Date();
    const routes: ApiRoutePlugin[] = [
      usersRoutes({ dispatcher }),
      userPresenceRoutes({ dispatcher }),
      userPresenceBlockRoutes({ dispatcher, presence: views.readers.presence, directory: views.readers.directory }),
      userVoiceRoutes({ dispatcher }),
      voiceConfigRoutes({ dispatcher }),
      imRoutes({ dispatcher }),
      conferenceRoutes({ dispatcher }),
      projectionsRoutes({ manager: projections, headPosition: () => store.headPosition(), log: projectionLog }),
      replayRoutes({ store, client: storage.readModel }),
      queryPresenceRoutes({ presence: views.readers.presence, directory: views.readers.directory, clock }),
      queryRegistrationsRoutes({ location: views.readers.location, directory: views.readers.directory, clock }),
      queryCallsRoutes({ client: storage.readModel }),
      queryConferencesRoutes({ client: storage.readModel }),
      queryCdrRoutes({ client: storage.readModel }),
      queryTimelineRoutes({ client: storage.readModel }),
      privacyRoutes({
        privacy: new PrivacyService({ store, keys: storage.dataKeys, node: config.nodeId ?? hostname(), logger: child('privacy') }),
      }),
      analyticsRoutes({ client: storage.readModel, clock }),
      unifiedTimelineRoutes({ client: storage.readModel }),
      exportRoutes({ store }),
      auditRoutes({ client: storage.readModel, trustedKeys: audit.trustedKeys }),
    ];
    const http = createHttpServer({
      config: { adminToken: adminToken.token, store: config.store },
      version: chorusVersion(),
      logger: child('api'),
      metrics,
      startedAt,
      healthChecks: [projectionLagCheck({ status: () => projections.status() })],
      routes,
    });
    parts.push('http', http);
    await http.listen({ port: config.httpPort, host: config.httpHost });

    const httpUrl = `http://${urlHost(config.httpHost)}:${boundPort(http.server.address())}`;
    log.info({ role, store: config.store, httpUrl }, 'Chorus Standard Edition ready');
    if (demoAccounts.length > 0)
      (options.stdout ?? process.stdout).write(
        formatDemoBanner({
          domain: config.domain,
          accounts: demoAccounts,
          registrarHost: registrarHost(config.httpHost),
          sipPort: config.sipPort,
        }),
      );

    return {
      role,
      httpUrl,
      adminToken: adminToken.token,
      adminTokenEphemeral: adminToken.ephemeral,
      store,
      dispatcher,
      projections,
      demoAccounts,
      sipListening: sip.listening,
      close: () => parts.close(),
    };
  } catch (error) {
    // Close failures were logged by the stack; the start failure is the one to report.
    await parts.close().catch(() => undefined);
    throw error;
  }
}
