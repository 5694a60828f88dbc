import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { AggregateCache } from '../commands/aggregate-cache.ts';
import type { Config } from '../config/config.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import type { Logger } from '../logging/logger.ts';
import { usersDueForSweep } from '../projections/due-for-sweep.ts';
import type { HotPathViews } from '../projections/hot-path-views.ts';
import { DigestAuthenticator } from '../realtime/auth/digest-authenticator.ts';
import { StatelessNonces } from '../realtime/auth/stateless-nonces.ts';
import { CallRouter } from '../realtime/calls/call-router.ts';
import { EventStoreCallCommandSink } from '../realtime/calls/event-store-call-command-sink.ts';
import { createSipFrontEnd, type SipPlane as FrontEndPlane } from '../realtime/front-end/create-sip-front-end.ts';
import { loadSipFrontEndConfig, type SipFrontEndConfig } from '../realtime/front-end/sip-front-end-config.ts';
import { DomainWatcherPolicy, EventStorePresenceCommands, PresenceServer, presenceSourceOf } from '../realtime/presence/index.ts';
import { EventStoreBindingLedger } from '../realtime/registrar/event-store-binding-ledger.ts';
import { ExpirySweeper } from '../realtime/registrar/expiry-sweeper.ts';
import { FlowTable } from '../realtime/registrar/flow-table.ts';
import { registeredContactHop } from '../realtime/calls/registered-contact-hop.ts';

export interface SipPlaneOptions {
  readonly config: Config;
  /** Default: `loadSipFrontEndConfig(process.env)` (SIP_HOST, SIP_TRANSPORTS, SIP_RATE_*, IM_* …). */
  readonly sip?: SipFrontEndConfig;
  readonly store: EventStore<DomainEvent>;
  readonly views: HotPathViews;
  /** The node's aggregate cache, shared with the API's dispatcher. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
  readonly metrics?: Registry;
  readonly logger: Logger;
}

/** The running SIP side of a front end: the engine and handlers, and the sweeper that writes expiries down. */
export interface SipPlane {
  /** Bound address and port per transport (the real ports when SIP_PORT is 0). */
  readonly listening: FrontEndPlane['listening'];
  /** Idempotent: stops the sweeper, then the handlers and the engine. */
  close(): Promise<void>;
}

/**
 * Builds the SIP plane over the hot-path views: registrar, presence server,
 * IM and the call router behind one embedded engine on SIP_PORT. Every handler authenticates
 * with the same nonce secret, so a nonce issued on a 401 for REGISTER is good
 * for a 407 on INVITE too.
 */
export async function startSipPlane(options: SipPlaneOptions): Promise<SipPlane> {
  const { config, store, views, logger } = options;
  const loaded = options.sip ?? loadSipFrontEndConfig(process.env);
  // One secret per process when none is configured (nonces then die with the process: clients re-challenge).
  const sip: SipFrontEndConfig = { ...loaded, nonceSecret: loaded.nonceSecret ?? randomBytes(32).toString('base64url') };
  const nodeId = config.nodeId;
  const aggregates = options.aggregates ? { aggregates: options.aggregates } : {};
  // Shared so the call router and presence server reach TCP/TLS/WS contacts over the connection they registered on.
  const flows = new FlowTable();

  const callRouter = new CallRouter({
    authenticator: new DigestAuthenticator({
      credentials: views.readers.directory,
      nonces: new StatelessNonces({ secret: Buffer.from(sip.nonceSecret ?? '', 'utf8'), ttlSeconds: sip.nonceTtlSeconds }),
      defaultRealm: sip.realm ?? config.domain,
      algorithms: sip.digestAlgorithms,
      logger,
    }),
    routing: views.readers.routing,
    location: views.readers.location,
    commands: new EventStoreCallCommandSink({ store, ...aggregates }),
    nextHopOf: registeredContactHop(flows),
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    logger,
  });
  const plane = await createSipFrontEnd({
    config,
    sip,
    store,
    ...aggregates,
    directory: views.readers.directory,
    location: views.readers.location,
    flowTable: flows,
    callRouter: {
      handle(request) {
        if (callRouter.handle(request)) return;
        // Not a call the router routed (e.g. routed before a restart): an in-dialog request
        // follows its Route set as a loose-routing proxy would, but only through a Route we
        // record-routed (no open relay); a stray out-of-dialog one has no transaction.
        if (request.inDialog || request.message.method === 'ACK') request.proxy({ requireOwnRoute: true });
        else request.reply(481);
      },
      close: () => callRouter.close(),
    },
    presence: (engine, contactFor) =>
      new PresenceServer({
        sender: engine,
        authenticator: new DigestAuthenticator({
          credentials: views.readers.directory,
          nonces: new StatelessNonces({ secret: Buffer.from(sip.nonceSecret ?? '', 'utf8'), ttlSeconds: sip.nonceTtlSeconds }),
          defaultRealm: sip.realm ?? config.domain,
          algorithms: sip.digestAlgorithms,
          logger,
        }),
        commands: new EventStorePresenceCommands({ store, ...aggregates }),
        presence: presenceSourceOf(views.presence),
        changes: views.presence,
        bindings: views.readers.location,
        flows,
        policy: new DomainWatcherPolicy({ blockedWatchers: (presentity) => views.readers.presence.blockedWatchersOf(presentity) }),
        contactFor,
        ...(nodeId !== undefined ? { nodeId } : {}),
        logger,
      }),
    logger,
  });
  const sweeper = new ExpirySweeper({
    due: { aorsWithBindingsDueBy: (now, limit) => usersDueForSweep(views.location, views.presence, now, limit) },
    ledger: new EventStoreBindingLedger({ store, ...aggregates }),
    ...(nodeId !== undefined ? { nodeId } : {}),
    logger,
  });
  sweeper.start();

  let closing: Promise<void> | undefined;
  return {
    listening: plane.listening,
    close: () =>
      (closing ??= (async () => {
        await sweeper.close();
        await plane.frontEnd.close();
      })()),
  };
}
