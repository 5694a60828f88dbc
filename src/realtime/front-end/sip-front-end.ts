import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { DirectoryReader } from '../../projections/directory/directory-reader.ts';
import type { LocationReader } from '../../projections/location/location-reader.ts';
import { RateLimitGate } from '../abuse/rate-limit-gate.ts';
import { SourceRateLimiter, type SourceRateLimiterOptions } from '../abuse/source-rate-limiter.ts';
import { DigestAuthenticator } from '../auth/digest-authenticator.ts';
import type { SupportedAlgorithm } from '../auth/digest-response.ts';
import { StatelessNonces } from '../auth/stateless-nonces.ts';
import type { InboundRequest, SignalingEngine } from '../engine/signaling-engine.ts';
import { ImHandler, type ArchivePolicy } from '../im/im-handler.ts';
import { EventStoreBindingLedger } from '../registrar/event-store-binding-ledger.ts';
import { FlowTable, type FlowReader } from '../registrar/flow-table.ts';
import { Registrar, type RegisterTransaction } from '../registrar/registrar.ts';
import type { HeaderInit } from '../sip/message.ts';
import { portTransaction, type PortTransaction } from './port-transaction.ts';
import { ServedDomains } from './served-domains.ts';
import { allowHeader, capabilityHeaders, EVENT_METHODS, SESSION_METHODS } from './sip-capabilities.ts';
import type { SipRequestHandler } from './sip-request-handler.ts';

/** What the front-end needs of a registrar; `Registrar` is one. */
export interface RegisterHandler {
  handle(transaction: RegisterTransaction): Promise<void>;
}

/** Settings of the SIP front-end; every one has a default but the domain. */
export type SipFrontEndSettings = {
  /** The SIP domain served (`example.test`). */
  readonly domain: string;
  /** Other names of the domain. Default none. */
  readonly aliases?: readonly string[];
  /** This server's own addresses, accepted as the host of a Request-URI. Default none (the factory fills them in). */
  readonly localHosts?: readonly string[];
  /** Realm challenged for users without credentials (users with credentials are challenged in theirs). Default: the domain. */
  readonly realm?: string;
  /** Digest nonce HMAC key, ≥ 16 bytes; the same on every node of a pool. Default: random per process. */
  readonly nonceSecret?: Buffer;
  /** Default 300 s. */
  readonly nonceTtlSeconds?: number;
  /** Digest challenges offered, most preferred first. Default SHA-256 then MD5 (RFC 8760). */
  readonly digestAlgorithms?: readonly SupportedAlgorithm[];
  /** Per-source token bucket in front of every request. Defaults: see SourceRateLimiter (20/s, burst 60). */
  readonly rateLimit?: SourceRateLimiterOptions;
  /** Binding lifetimes. Defaults: see Registrar (60 / 3600 / 86 400 s). */
  readonly registrar?: { readonly minExpires?: number; readonly defaultExpires?: number; readonly maxExpires?: number };
  /** MESSAGE handling. Defaults: see ImHandler (archive on, 16 KiB, 600 s idle). */
  readonly im?: {
    readonly archive?: ArchivePolicy;
    readonly maxBodyBytes?: number;
    readonly sessionIdleSeconds?: number;
    readonly sweepIntervalMs?: number;
  };
  /** Option tags for the Supported of an OPTIONS answer; keep equal to the engine's. Default none. */
  readonly supportedOptionTags?: readonly string[];
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
};

export type SipFrontEndOptions = {
  /** The engine port; the front-end owns it from now on and closes it last. */
  readonly engine: SignalingEngine;
  readonly store: EventStore<DomainEvent>;
  /** The node's aggregate cache, for the registrar and IM. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
  /** Users and their digest HA1s (the directory view). */
  readonly directory: DirectoryReader;
  /** Registered contacts (the location view). */
  readonly location: LocationReader;
  /** INVITE, ACK, BYE, CANCEL, PRACK, UPDATE, INFO, REFER, and every other request within a dialog. Closed with the front-end. */
  readonly callRouter: SipRequestHandler;
  /**
   * SEAM (presence server, not written yet): SUBSCRIBE, PUBLISH and NOTIFY.
   * Until one is given they are answered 501 and OPTIONS does not list them.
   * Closed with the front-end.
   */
  readonly presence?: SipRequestHandler;
  /** Default: a `Registrar` on the event store, authenticating with this front-end's digest settings. */
  readonly registrar?: RegisterHandler;
  /** Flows of registered contacts, for reaching them again. Default: the built-in registrar's, else none. */
  readonly flows?: FlowReader;
  /** The table the built-in registrar records flows in (to share it with the call router). Default: a new one. */
  readonly flowTable?: FlowTable;
  readonly settings: SipFrontEndSettings;
  /** Default: the system clock. */
  readonly now?: () => Date;
  readonly logger?: Logger;
};

/**
 * The SIP front-end: every request the engine receives passes the per-source
 * rate limit (src/realtime/abuse) and is then dispatched by method:
 *
 * | request | goes to |
 * | --- | --- |
 * | ACK, CANCEL, INVITE, BYE, PRACK, UPDATE, INFO, REFER | call router |
 * | any other request within a dialog (To tag), except SUBSCRIBE/NOTIFY/PUBLISH | call router |
 * | NOTIFY with `Event: refer` (transfer progress, RFC 3515) | call router |
 * | SUBSCRIBE, PUBLISH, NOTIFY | presence server; 501 until there is one |
 * | REGISTER | registrar |
 * | MESSAGE | IM handler |
 * | OPTIONS | answered here: 200 with Allow, Accept, Accept-Encoding, Accept-Language, Supported (RFC 3261 §11.2) |
 * | any other method | 501 Not Implemented |
 *
 * Unknown methods get 501, not 405: RFC 3261 §8.2.1 keeps 405 for a method
 * the server knows but does not allow for the addressed resource, and §21.5.2
 * gives 501 for a method it does not recognise. OPTIONS is answered by the
 * server for any served URI, with or without a user part, rather than
 * forwarded to a user's device: it reports what this server supports.
 *
 * Out-of-dialog REGISTER, MESSAGE, OPTIONS, SUBSCRIBE and PUBLISH must name
 * a served domain (the domain, an alias, or one of our own addresses) in the
 * Request-URI; anything else gets 404 (RFC 3261 §21.4.5: 404 is "also
 * returned if the domain in the Request-URI does not match any of the domains
 * handled by the recipient"). 403 would claim a policy refusal of something
 * we could do; this server has no foreign domain to relay to. Session
 * requests are left to the call router, which may route them to a gateway.
 */
export class SipFrontEnd {
  readonly #engine: SignalingEngine;
  readonly #callRouter: SipRequestHandler;
  readonly #presence: SipRequestHandler | undefined;
  readonly #registrar: RegisterHandler;
  readonly #im: ImHandler;
  readonly #domains: ServedDomains;
  readonly #gate: RateLimitGate<PortTransaction>;
  readonly #options: readonly HeaderInit[];
  readonly #allow: HeaderInit;
  readonly #log: Logger;
  #closed: Promise<void> | undefined;

  constructor(options: SipFrontEndOptions) {
    const s = options.settings;
    this.#engine = options.engine;
    this.#callRouter = options.callRouter;
    this.#presence = options.presence;
    this.#log = options.logger ?? moduleLogger('sip-front-end');
    const nodeId = s.nodeId ?? hostname();
    const now = options.now ?? (() => new Date());
    this.#domains = new ServedDomains({ domain: s.domain, ...(s.aliases ? { aliases: s.aliases } : {}), ...(s.localHosts ? { localHosts: s.localHosts } : {}) });

    const authenticator = new DigestAuthenticator({
      credentials: options.directory,
      nonces: new StatelessNonces({
        ...(s.nonceSecret ? { secret: s.nonceSecret } : {}),
        ...(s.nonceTtlSeconds !== undefined ? { ttlSeconds: s.nonceTtlSeconds } : {}),
      }),
      defaultRealm: s.realm ?? this.#domains.domain,
      ...(s.digestAlgorithms ? { algorithms: s.digestAlgorithms } : {}),
      logger: this.#log,
    });
    let flows = options.flows;
    if (options.registrar) {
      this.#registrar = options.registrar;
    } else {
      const table = options.flowTable ?? new FlowTable();
      flows ??= table;
      this.#registrar = new Registrar({
        authenticator,
        ledger: new EventStoreBindingLedger({ store: options.store, now, ...(options.aggregates ? { aggregates: options.aggregates } : {}) }),
        flows: table,
        ...s.registrar,
        nodeId,
        now,
        logger: this.#log,
      });
    }
    this.#im = new ImHandler({
      store: options.store,
      ...(options.aggregates ? { aggregates: options.aggregates } : {}),
      authenticator,
      directory: options.directory,
      location: options.location,
      ...(flows ? { flows } : {}),
      localAor: (uri) => this.#domains.aorOf(uri),
      ...s.im,
      now,
      nodeId,
      logger: this.#log,
    });
    this.#options = capabilityHeaders({ presence: this.#presence !== undefined, supportedOptionTags: s.supportedOptionTags ?? [] });
    this.#allow = allowHeader({ presence: this.#presence !== undefined });
    this.#gate = new RateLimitGate<PortTransaction>({
      limiter: new SourceRateLimiter(s.rateLimit ?? {}),
      next: (tx) => this.#dispatch(tx.inbound),
      logger: this.#log,
    });
    this.#engine.onRequest((request) => {
      if (this.#closed) return void request.reply(503, 'Shutting Down');
      this.#gate.handle(portTransaction(request));
    });
  }

  get engine(): SignalingEngine {
    return this.#engine;
  }

  get domains(): ServedDomains {
    return this.#domains;
  }

  /** Requests refused by the rate limit so far. */
  get rateLimited(): number {
    return this.#gate.refused;
  }

  /**
   * Idempotent. New requests get 503; the IM handler, the call router and the
   * presence server close (finishing what they are doing), then the engine.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const results = await Promise.allSettled([this.#im.close(), this.#callRouter.close?.(), this.#presence?.close?.()]);
      for (const r of results) if (r.status === 'rejected') this.#log.error({ err: r.reason }, 'a SIP handler failed to close');
      await this.#engine.close();
      this.#log.debug('SIP front-end closed');
    })();
    return this.#closed;
  }

  #dispatch(request: InboundRequest): void {
    const method = request.message.method;
    if (SESSION_METHODS.has(method)) return this.#run(this.#callRouter, request);
    if (EVENT_METHODS.has(method)) {
      if (method === 'NOTIFY' && request.inDialog && isReferEvent(request)) return this.#run(this.#callRouter, request);
      if (!this.#presence) return void request.reply(501, 'Not Implemented', { headers: [this.#allow] });
      if (!request.inDialog && !this.#served(request)) return;
      return this.#run(this.#presence, request);
    }
    switch (method) {
      case 'REGISTER':
        if (!this.#served(request)) return;
        return this.#settle(method, request, this.#registrar.handle(portTransaction(request)));
      case 'MESSAGE':
      case 'OPTIONS':
        if (request.inDialog) return this.#run(this.#callRouter, request);
        if (!this.#served(request)) return;
        if (method === 'OPTIONS') return void request.reply(200, 'OK', { headers: this.#options });
        return this.#settle(method, request, this.#im.handle(request));
      default:
        request.reply(501, 'Not Implemented', { headers: [this.#allow] });
    }
  }

  /** False (and a 404 sent) when the Request-URI names no domain of ours. */
  #served(request: InboundRequest): boolean {
    if (this.#domains.serves(request.message.uri)) return true;
    request.reply(404, 'Not Found');
    return false;
  }

  #run(handler: SipRequestHandler, request: InboundRequest): void {
    let outcome: void | Promise<void>;
    try {
      outcome = handler.handle(request);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    this.#settle(request.message.method, request, outcome);
  }

  #settle(method: string, request: InboundRequest, outcome: void | Promise<void>): void {
    if (!(outcome instanceof Promise)) return;
    outcome.catch((error: unknown) => {
      this.#log.error({ err: error, method, callId: request.core.callId }, 'SIP handler failed');
      if (method !== 'ACK') request.reply(500);
    });
  }
}

function isReferEvent(request: InboundRequest): boolean {
  const event = request.message.headers.get('Event') ?? '';
  return event.split(';')[0]?.trim().toLowerCase() === 'refer';
}
