import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../../logging/logger.ts';
import type { ProxyOperation, ProxyOptions, ProxyResult } from '../../engine/proxy-operation.ts';
import { Headers, type SipRequest } from '../message.ts';
import type { IncomingRequest, SipEngine } from '../sip-engine.ts';
import { systemClock, type Clock } from '../transaction/clock.ts';
import { formatUri, parseUri } from '../uri.ts';
import { formatVia } from '../via.ts';
import { detectLoop, loopHash, proxyBranch } from './loop-detection.ts';
import { destinationForHop, destinationForUri, protocolOfDestination } from './next-hop.ts';
import { ProxyContext, type ResolvedTarget } from './proxy-context.ts';
import { isOwnUri, type ProxyIdentity } from './proxy-identity.ts';
import { applyStrictRoute, preprocessRoutes, routesOf } from './route-processing.ts';
import { SettledOperation } from './settled-operation.ts';

export type StatefulProxyOptions = {
  readonly engine: SipEngine;
  /**
   * Option tags this proxy implements: a Proxy-Require naming another gets 420
   * (RFC 3261 §16.3 step 5). Keep it equal to the engine's `supportedOptionTags`.
   * Default none.
   */
  readonly supportedOptionTags?: readonly string[];
  /** Timer source for branch and provisional timeouts. Default: real time. */
  readonly clock?: Clock;
  readonly logger?: Logger;
};

/**
 * RFC 3261 §16 stateful proxy on the embedded engine: validates a request
 * (§16.3), preprocesses its Route (§16.4), then hands it to a ProxyContext
 * that forks it and picks the response (§16.6–16.10). An ACK is forwarded
 * statelessly: it has no response to wait for (§16.11 for the ACK to a 2xx).
 */
export class StatefulProxy {
  readonly #engine: SipEngine;
  readonly #supported: ReadonlySet<string>;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(options: StatefulProxyOptions) {
    this.#engine = options.engine;
    this.#supported = new Set((options.supportedOptionTags ?? []).map((t) => t.toLowerCase()));
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? moduleLogger('sip-proxy');
  }

  get identity(): ProxyIdentity {
    return { advertisedHost: this.#engine.advertisedHost, listening: this.#engine.listening };
  }

  proxy(incoming: IncomingRequest, options: ProxyOptions = {}): ProxyOperation {
    const { request, core } = incoming;
    const isAck = request.method === 'ACK';
    const reject = (status: number, reason: string, headers?: ReadonlyArray<readonly [string, string]>): ProxyOperation => {
      // An ACK is never answered (RFC 3261 §17.2.1); it is dropped.
      if (!isAck) incoming.reply(status, reason, headers ? { headers } : {});
      this.#log.debug({ callId: core.callId, method: request.method, status, reason }, 'proxy rejected request');
      return new SettledOperation({ kind: 'rejected', status, reason });
    };

    // §16.3 step 3: Max-Forwards (the engine already refuses 0 for everything but OPTIONS).
    if (core.maxForwards <= 0) return reject(483, 'Too Many Hops');
    const identity = this.identity;
    // §16.3 step 4: loop detection on the request as received.
    const hash = loopHash(request, core);
    if (detectLoop(core.vias, identity, hash) === 'loop') return reject(482, 'Loop Detected');
    // §16.3 step 5: Proxy-Require.
    if (!isAck && request.method !== 'CANCEL') {
      const unsupported = request.headers
        .getAll('Proxy-Require')
        .flatMap((v) => v.split(','))
        .map((t) => t.trim())
        .filter((t) => t.length > 0 && !this.#supported.has(t.toLowerCase()));
      if (unsupported.length > 0) return reject(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
    }
    if (options.requireOwnRoute === true) {
      const routes = routesOf(request);
      const top = routes.ok ? routes.value[0] : undefined;
      if (!top || !isOwnUri(identity, top.uri)) return reject(404, 'Not Here');
    }
    // §16.4
    const routed = preprocessRoutes(request, identity);
    if (!routed.ok) return reject(400, routed.error);

    // §16.5: the default target set is the Request-URI.
    const requested = options.targets ?? [{ uri: '' }];
    const targets: ResolvedTarget[] = [];
    for (const target of requested) {
      if (target.uri === '') {
        targets.push({ target: { uri: formatUri(routed.value.uri) }, uri: routed.value.uri });
        continue;
      }
      const uri = parseUri(target.uri);
      if (!uri.ok) return reject(500, 'Invalid Proxy Target');
      targets.push({ target, uri: uri.value });
    }
    if (targets.length === 0) return reject(480, 'Temporarily Unavailable');

    if (isAck) return this.#forwardAck(routed.value, incoming, hash, targets[0]);

    const context = new ProxyContext({
      engine: this.#engine,
      incoming,
      request: routed.value,
      core,
      identity,
      loopHash: hash,
      targets,
      forking: options.forking ?? 'sequential',
      recordRoute: options.recordRoute ?? false,
      branchTimeoutMs: options.branchTimeoutMs,
      provisionalTimeoutMs: options.provisionalTimeoutMs,
      headers: options.headers ?? [],
      clock: this.#clock,
      log: this.#log,
    });
    context.start();
    return context;
  }

  /** Forwards an ACK (for a 2xx, end to end along the Route set) with no transaction. */
  #forwardAck(request: SipRequest, incoming: IncomingRequest, hash: string, target: ResolvedTarget | undefined): ProxyOperation {
    const { core } = incoming;
    const routes = routesOf(request);
    const top = routes.ok ? routes.value[0] : undefined;
    const uri = target?.uri ?? request.uri;
    // An explicit hop (the callee's WebSocket connection) wins, as for any other branch (§16.6 step 7).
    const hop = target?.target.nextHop;
    const destination = hop ? destinationForHop(hop) : destinationForUri(top ? top.uri : uri);
    const protocol = destination ? protocolOfDestination(destination) : undefined;
    const socket = this.#engine.listening.find((l) => l.protocol === protocol);
    if (!destination || !socket) {
      this.#log.debug({ callId: core.callId }, 'ACK dropped: no route');
      return new SettledOperation({ kind: 'rejected', status: 0, reason: 'no route for the ACK' });
    }
    const via = `SIP/2.0/${socket.protocol.toUpperCase()} ${this.#engine.advertisedHost}:${socket.port};branch=${proxyBranch(hash)};rport`;
    const received = core.vias.map((v) => formatVia(v));
    let headers = new Headers(request.headers.entries().filter((h) => h.key !== 'via'));
    headers = headers.set('Max-Forwards', String(Math.max(0, core.maxForwards - 1)));
    for (const v of [via, ...received].reverse()) headers = headers.prepend('Via', v);
    const forwarded = applyStrictRoute({ ...request, uri, headers });
    const result: ProxyResult = { kind: 'forwarded-stateless' };
    this.#engine.sendStateless(forwarded, destination).catch((error: unknown) => {
      this.#log.debug({ err: error, callId: core.callId }, 'ACK could not be forwarded');
    });
    return new SettledOperation(result);
  }
}
