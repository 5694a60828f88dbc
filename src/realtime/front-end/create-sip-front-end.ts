import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.ts';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { DirectoryReader } from '../../projections/directory/directory-reader.ts';
import type { LocationReader } from '../../projections/location/location-reader.ts';
import { EmbeddedSignalingEngine } from '../engine/embedded-signaling-engine.ts';
import type { FlowRef, SignalingEngine } from '../engine/signaling-engine.ts';
import type { FlowTable } from '../registrar/flow-table.ts';
import { createSipEngine } from '../sip/sip-engine.ts';
import type { TimerConfig } from '../sip/transaction/timers.ts';
import type { SipFrontEndConfig } from './sip-front-end-config.ts';
import { loadTlsMaterial, sipListenSpecs } from './sip-listen-specs.ts';
import { SipFrontEnd } from './sip-front-end.ts';
import type { SipRequestHandler } from './sip-request-handler.ts';

export type CreateSipFrontEndOptions = {
  /** SIP_PORT, CHORUS_DOMAIN and CHORUS_NODE_ID of the Chorus configuration. */
  readonly config: Pick<Config, 'sipPort' | 'domain' | 'nodeId'>;
  /** The SIP settings not in the Chorus configuration yet (`loadSipFrontEndConfig`). */
  readonly sip: SipFrontEndConfig;
  readonly store: EventStore<DomainEvent>;
  /** The node's aggregate cache, for the registrar and IM. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
  readonly directory: DirectoryReader;
  readonly location: LocationReader;
  readonly callRouter: SipRequestHandler;
  /**
   * The presence server, built on the engine this factory creates (it sends
   * NOTIFYs through it); SUBSCRIBE/PUBLISH/NOTIFY get 501 without it.
   */
  readonly presence?: (engine: SignalingEngine, contact: PresenceContact) => SipRequestHandler;
  /**
   * Where the built-in registrar records each binding's flow; share it with the
   * call router and presence server so they reach TCP/TLS/WS contacts over it.
   * Default: a table of the front-end's own.
   */
  readonly flowTable?: FlowTable;
  /** Transaction timers (tests shorten them). Default RFC 3261 values. */
  readonly timers?: Partial<TimerConfig>;
  readonly logger?: Logger;
};

/** The assembled SIP plane: the front-end (close it to close everything) and where it listens. */
/** The Contact a NOTIFY-sending server puts in its dialogs, per flow transport. */
export type PresenceContact = (flow: FlowRef) => string;

export type SipPlane = {
  readonly frontEnd: SipFrontEnd;
  /** Bound address and port per transport (the real ports when SIP_PORT is 0). */
  readonly listening: ReadonlyArray<{ readonly protocol: string; readonly address: string; readonly port: number }>;
};

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The SIP plane as the server runs it: the embedded engine listening on
 * SIP_HOST:SIP_PORT (UDP and TCP by default; TLS, WS and WSS on their own
 * ports when SIP_TRANSPORTS lists them), the engine port over it, and a
 * SipFrontEnd dispatching to registrar, IM, call router and presence. Closing
 * the front-end closes everything this built.
 */
export async function createSipFrontEnd(options: CreateSipFrontEndOptions): Promise<SipPlane> {
  const { config, sip } = options;
  const log = options.logger ?? moduleLogger('sip-front-end');
  const engine = await createSipEngine({
    listen: sipListenSpecs(sip, config.sipPort, loadTlsMaterial(sip)),
    ...(sip.advertisedHost !== undefined ? { advertisedHost: sip.advertisedHost } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    forceRport: sip.forceRport,
    serverHeader: 'Chorus',
    logger: log,
  });
  const signaling = new EmbeddedSignalingEngine({ engine, logger: log });
  let frontEnd: SipFrontEnd;
  try {
    frontEnd = new SipFrontEnd({
      engine: signaling,
      store: options.store,
      ...(options.aggregates ? { aggregates: options.aggregates } : {}),
      directory: options.directory,
      location: options.location,
      callRouter: options.callRouter,
      ...(options.flowTable ? { flowTable: options.flowTable } : {}),
      ...(options.presence ? { presence: options.presence(signaling, contactFor(engine.advertisedHost, engine.listening)) } : {}),
      settings: {
        domain: config.domain,
        aliases: sip.domainAliases,
        localHosts: localHosts(sip.host, engine.advertisedHost, engine.listening.map((l) => l.address)),
        ...(sip.realm !== undefined ? { realm: sip.realm } : {}),
        ...(sip.nonceSecret !== undefined ? { nonceSecret: Buffer.from(sip.nonceSecret, 'utf8') } : {}),
        nonceTtlSeconds: sip.nonceTtlSeconds,
        digestAlgorithms: sip.digestAlgorithms,
        rateLimit: { ratePerSecond: sip.ratePerSecond, burst: sip.rateBurst, exempt: sip.rateExempt },
        registrar: { minExpires: sip.minExpires, defaultExpires: sip.defaultExpires, maxExpires: sip.maxExpires },
        im: { archive: sip.imArchive, maxBodyBytes: sip.imMaxBodyBytes, sessionIdleSeconds: sip.imSessionIdleSeconds },
        ...(config.nodeId !== undefined ? { nodeId: config.nodeId } : {}),
      },
      logger: log,
    });
  } catch (error) {
    // Bad settings (e.g. expiry bounds): release the sockets already bound.
    await signaling.close();
    throw error;
  }
  return { frontEnd, listening: engine.listening };
}

/** `sip:chorus@host:port` on the listener of the flow's transport, so in-dialog requests come back where they belong. */
function contactFor(host: string, listening: readonly { readonly protocol: string; readonly port: number }[]): PresenceContact {
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return (flow) => {
    const listener = listening.find((l) => l.protocol === flow.transport) ?? listening[0];
    const port = listener?.port ?? 5060;
    return flow.transport === 'udp' ? `sip:chorus@${hostPart}:${port}` : `sip:chorus@${hostPart}:${port};transport=${flow.transport}`;
  };
}

/** Our own addresses, accepted as Request-URI hosts: the advertised host, the bind address, and every interface's when bound to all. */
function localHosts(bindHost: string, advertised: string, listening: readonly string[]): string[] {
  const hosts = new Set([advertised, ...listening.filter((a) => !WILDCARDS.has(a))]);
  if (WILDCARDS.has(bindHost)) {
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) hosts.add(a.address);
  } else {
    hosts.add(bindHost);
  }
  return [...hosts];
}
