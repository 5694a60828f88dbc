import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../logging/logger.ts';
import { parseCSeq } from './cseq.ts';
import { newBranch, newTag } from './ids.ts';
import { EMPTY_BODY, Headers, SIP_VERSION, type HeaderInit, type SipRequest, type SipResponse } from './message.ts';
import { tagOf } from './name-addr.ts';
import { parseMessage, type PartialMessage } from './parser.ts';
import { buildResponse, type ResponseOptions } from './response-builder.ts';
import { checkRequest, type RequestCore } from './sanity.ts';
import { serializeMessage } from './serializer.ts';
import { systemClock, type Clock } from './transaction/clock.ts';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientFailure,
  type ClientTransaction,
} from './transaction/client-transaction.ts';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  type ServerTransaction,
  type ServerTransactionDeps,
} from './transaction/server-transaction.ts';
import { timerConfig, type TimerConfig } from './transaction/timers.ts';
import { listenTcp } from './transport/tcp-transport.ts';
import { listenTls } from './transport/tls-transport.ts';
import type { FlowId, InboundPacket, MessageSource, Transport, TransportProtocol } from './transport/transport.ts';
import { UdpTransport, parseUdpFlowId } from './transport/udp-transport.ts';
import { WsTransport } from './transport/ws-transport.ts';
import { formatUri } from './uri.ts';
import { MAGIC_COOKIE, parseVia, responseTarget, stampVia, viaBranch, viaSentBy, type Via } from './via.ts';

// ---------------------------------------------------------------------------
// Public interface: what the SIP handlers (registrar, presence, IM, calls) use.
// ---------------------------------------------------------------------------

export type ReplyOptions = {
  readonly headers?: readonly HeaderInit[];
  readonly body?: Buffer | string;
};

/** A request delivered to the handler, with its server transaction behind `reply`. */
export interface IncomingRequest {
  readonly request: SipRequest;
  /** Via/From/To/Call-ID/CSeq/Max-Forwards/Contact, already parsed and validated. */
  readonly core: RequestCore;
  /** Where it came from; `source.flowId` is what to store to reach this client again. */
  readonly source: MessageSource;
  /** The To tag this server uses in its responses (generated once per request). */
  readonly toTag: string;
  /**
   * Sends a response through the server transaction (retransmissions, ACK
   * absorption and timers are handled). Adds a To tag when needed. Returns false
   * when no response can be sent any more: an ACK, a final already sent, or a
   * transaction already ended by its timers.
   */
  reply(status: number, reason?: string, options?: ReplyOptions): boolean;
  /** INVITE only: called when a CANCEL for it arrives (the engine already answered the CANCEL 200). */
  onCancel(listener: () => void): void;
  readonly cancelled: boolean;
  /**
   * Proxy use (RFC 3261 §16.7): sends a response built elsewhere (a downstream
   * response with its top Via removed) through this request's server
   * transaction, unchanged. A forwarded 2xx is not retransmitted by this hop:
   * the UAS that sent it retransmits end to end. Same return value as `reply`.
   */
  forwardResponse(response: SipResponse): boolean;
}

export type Destination =
  | { readonly protocol: TransportProtocol; readonly address: string; readonly port: number }
  /** The flow (connection) a request came in on, e.g. a REGISTER: NOTIFY/MESSAGE go back over it. */
  | { readonly flowId: FlowId };

export type ClientOutcome =
  | { readonly kind: 'final'; readonly response: SipResponse }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'transport-error'; readonly error: Error };

/** A request sent through a client transaction. */
export interface ClientRequest {
  /** As sent: with the engine's Via (and branch) on top. */
  readonly request: SipRequest;
  readonly branch: string;
  /** Every response: provisionals, the final, and later 2xx from other forks of an INVITE. */
  onResponse(listener: (response: SipResponse) => void): void;
  /** The first final response, or why there will be none. Never rejects. */
  readonly outcome: Promise<ClientOutcome>;
  /** INVITE only: sends a CANCEL once the INVITE has a provisional (RFC 3261 §9.1). No-op otherwise. */
  cancel(): void;
}

/** The request to send: the engine adds the top Via (with a fresh branch) and Max-Forwards 70 when absent. */
export type OutgoingRequest = Omit<SipRequest, 'kind' | 'version'>;

export type EngineStats = {
  readonly serverTransactions: number;
  readonly clientTransactions: number;
  readonly connections: number;
};

export interface SipEngine {
  onRequest(handler: (request: IncomingRequest) => void): void;
  /** `branch`: the Via branch to use instead of a fresh one (a proxy computes its own for loop detection, RFC 3261 §16.6 step 8). */
  sendRequest(request: OutgoingRequest, options: { readonly destination: Destination; readonly branch?: string }): ClientRequest;
  /** Sends a message with no transaction: the ACK for a 2xx, a response forwarded by a proxy. */
  sendStateless(message: SipRequest | SipResponse, destination: Destination): Promise<FlowId>;
  /** Local address and port of each transport, e.g. to learn the ephemeral ports in tests. */
  readonly listening: ReadonlyArray<{ readonly protocol: TransportProtocol; readonly address: string; readonly port: number }>;
  /** The host this engine writes in its Via sent-by (what a proxy also puts in Record-Route). */
  readonly advertisedHost: string;
  stats(): EngineStats;
  close(): Promise<void>;
}

export type ListenSpec =
  | { readonly protocol: 'udp' | 'tcp'; readonly host: string; readonly port: number }
  | {
      readonly protocol: 'tls';
      readonly host: string;
      readonly port: number;
      readonly cert: string | Buffer;
      readonly key: string | Buffer;
      readonly ca?: string | Buffer;
      readonly verifyPeers?: boolean;
    }
  /** SIP over WebSocket (RFC 7118), subprotocol `sip`. */
  | { readonly protocol: 'ws'; readonly host: string; readonly port: number }
  /** SIP over secure WebSocket: WS over TLS with this certificate. */
  | {
      readonly protocol: 'wss';
      readonly host: string;
      readonly port: number;
      readonly cert: string | Buffer;
      readonly key: string | Buffer;
      readonly ca?: string | Buffer;
      readonly verifyPeers?: boolean;
    };

export type SipEngineOptions = {
  readonly listen: readonly ListenSpec[];
  /** Host written in our Via sent-by; defaults to the listen host (127.0.0.1 for a wildcard). */
  readonly advertisedHost?: string;
  readonly timers?: Partial<TimerConfig>;
  readonly clock?: Clock;
  /** Larger messages get 513 (or are dropped when no response can be built). Default 64 KiB. */
  readonly maxMessageSize?: number;
  /**
   * Treat every request as if its top Via had `rport` (symmetric response
   * routing, needed for clients behind NAT that do not ask for it). Default false.
   */
  readonly forceRport?: boolean;
  /** Option tags accepted in Proxy-Require/Require (case-insensitive). Default none. */
  readonly supportedOptionTags?: readonly string[];
  /** Check Require too (a UAS must, a pure proxy must not). Default true. */
  readonly enforceRequire?: boolean;
  /** Value of a Server header added to every response the engine builds. */
  readonly serverHeader?: string;
  readonly logger?: Logger;
  readonly tcpIdleTimeoutMs?: number;
  readonly incompleteMessageTimeoutMs?: number;
};

export async function createSipEngine(options: SipEngineOptions): Promise<SipEngine> {
  const maxMessageSize = options.maxMessageSize ?? 65_536;
  const transports: Transport[] = [];
  try {
    for (const spec of options.listen) {
      const stream = {
        host: spec.host,
        port: spec.port,
        maxMessageSize,
        ...(options.tcpIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.tcpIdleTimeoutMs } : {}),
        ...(options.incompleteMessageTimeoutMs !== undefined ? { incompleteMessageTimeoutMs: options.incompleteMessageTimeoutMs } : {}),
      };
      switch (spec.protocol) {
        case 'udp':
          transports.push(await UdpTransport.listen({ host: spec.host, port: spec.port }));
          break;
        case 'tcp':
          transports.push(await listenTcp(stream));
          break;
        case 'tls':
          transports.push(
            await listenTls({
              ...stream,
              cert: spec.cert,
              key: spec.key,
              ...(spec.ca !== undefined ? { ca: spec.ca } : {}),
              ...(spec.verifyPeers !== undefined ? { verifyPeers: spec.verifyPeers } : {}),
            }),
          );
          break;
        case 'ws':
        case 'wss':
          transports.push(
            await WsTransport.listen({
              host: spec.host,
              port: spec.port,
              maxMessageSize,
              ...(options.tcpIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.tcpIdleTimeoutMs } : {}),
              ...(spec.protocol === 'wss'
                ? {
                    tls: {
                      cert: spec.cert,
                      key: spec.key,
                      ...(spec.ca !== undefined ? { ca: spec.ca } : {}),
                      ...(spec.verifyPeers !== undefined ? { verifyPeers: spec.verifyPeers } : {}),
                    },
                  }
                : {}),
            }),
          );
          break;
        default: {
          const never: never = spec;
          throw new Error(`unknown transport ${String(never)}`);
        }
      }
    }
  } catch (error) {
    await Promise.all(transports.map((t) => t.close()));
    throw error;
  }
  return new Engine(options, transports, maxMessageSize);
}

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

type ServerEntry = { readonly tx: ServerTransaction; readonly incoming: ServerRequest | undefined };

const WILDCARD = new Set(['0.0.0.0', '::', '']);

class Engine implements SipEngine {
  readonly #transports: readonly Transport[];
  readonly #log: Logger;
  readonly #timers: TimerConfig;
  readonly #clock: Clock;
  readonly #maxMessageSize: number;
  readonly #forceRport: boolean;
  readonly #sanity: { supportedOptionTags: ReadonlySet<string>; enforceRequire: boolean };
  readonly #serverHeader: string | undefined;
  readonly #advertisedHost: string;
  readonly #server = new Map<string, ServerEntry>();
  readonly #client = new Map<string, ClientTransaction>();
  /** callId|cseq|fromTag of INVITEs answered 2xx: the ACK for a 2xx has its own branch. */
  readonly #accepted = new Map<string, InviteServerTransaction>();
  #handler: ((request: IncomingRequest) => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: SipEngineOptions, transports: readonly Transport[], maxMessageSize: number) {
    this.#transports = transports;
    this.#log = options.logger ?? moduleLogger('sip');
    this.#timers = timerConfig(options.timers);
    this.#clock = options.clock ?? systemClock;
    this.#maxMessageSize = maxMessageSize;
    this.#forceRport = options.forceRport ?? false;
    this.#sanity = {
      supportedOptionTags: new Set((options.supportedOptionTags ?? []).map((t) => t.toLowerCase())),
      enforceRequire: options.enforceRequire ?? true,
    };
    this.#serverHeader = options.serverHeader;
    const first = options.listen[0];
    this.#advertisedHost = options.advertisedHost ?? (first && !WILDCARD.has(first.host) ? first.host : '127.0.0.1');
    for (const t of transports) t.onPacket((packet) => this.#receive(t, packet));
  }

  get listening(): ReadonlyArray<{ protocol: TransportProtocol; address: string; port: number }> {
    return this.#transports.map((t) => ({ protocol: t.protocol, address: t.localAddress, port: t.localPort }));
  }

  get advertisedHost(): string {
    return this.#advertisedHost;
  }

  onRequest(handler: (request: IncomingRequest) => void): void {
    this.#handler = handler;
  }

  stats(): EngineStats {
    return {
      serverTransactions: this.#server.size,
      clientTransactions: this.#client.size,
      connections: this.#transports.reduce((n, t) => n + t.connectionCount, 0),
    };
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const entry of [...this.#server.values()]) entry.tx.terminate('engine-closed');
      for (const tx of [...this.#client.values()]) tx.transportError(new Error('SIP engine closed'));
      await Promise.all(this.#transports.map((t) => t.close()));
    })();
    return this.#closed;
  }

  // --- inbound -------------------------------------------------------------

  #receive(transport: Transport, packet: InboundPacket): void {
    if (this.#closed) return;
    try {
      switch (packet.kind) {
        case 'keepalive':
          return;
        case 'framing-error': {
          this.#log.debug({ source: packet.source, reason: packet.reason }, 'sip stream framing error');
          if (!packet.head) return;
          const parsed = parseMessage(packet.head, { mode: 'stream', maxMessageSize: Infinity });
          const partial = parsed.ok ? null : parsed.error.partial;
          if (partial) this.#rejectPartial(transport, packet.source, partial, packet.status, packet.reason);
          return;
        }
        case 'message':
          this.#receiveMessage(transport, packet.data, packet.source);
          return;
        default: {
          const never: never = packet;
          return never;
        }
      }
    } catch (error) {
      // A bug in one message's handling must not take the transport down with it.
      this.#log.error({ err: error, source: packet.source }, 'sip inbound processing failed');
    }
  }

  #receiveMessage(transport: Transport, data: Buffer, source: MessageSource): void {
    if (this.#log.isLevelEnabled('debug')) {
      this.#log.debug({ dir: 'in', proto: source.protocol, remote: `${source.address}:${source.port}`, bytes: data.length }, firstLine(data));
    }
    const parsed = parseMessage(data, { mode: transport.reliable ? 'stream' : 'datagram', maxMessageSize: this.#maxMessageSize });
    if (!parsed.ok) {
      const { partial, status, reason } = parsed.error;
      if (partial) this.#rejectPartial(transport, source, partial, status, reason);
      else this.#log.debug({ source, reason }, 'sip message dropped: unparseable');
      return;
    }
    const message = parsed.value;
    if (message.kind === 'response') this.#receiveResponse(message, source);
    else this.#receiveRequest(transport, message, source);
  }

  /**
   * Answers a request that failed before it could be fully parsed, if a response
   * can be built at all: it must be a request (never answer a response or an
   * ACK) carrying a Via. The response goes where the top Via says when it
   * parses, else straight back to the source.
   */
  #rejectPartial(transport: Transport, source: MessageSource, partial: PartialMessage, status: number, reason: string): void {
    if (!partial.isRequest || partial.method === 'ACK' || !partial.headers.has('Via')) {
      this.#log.debug({ source, reason }, 'sip message dropped: no response possible');
      return;
    }
    // 505 is only right for a well-formed request line with another version.
    const version = /^\S+ \S+ (SIP\/\d+\.\d+)$/.exec(partial.startLine)?.[1];
    const finalStatus = version !== undefined && version !== SIP_VERSION ? 505 : status;
    this.#sendStatelessReply(transport, source, partial.headers, finalStatus, finalStatus === 505 ? undefined : reason);
  }

  #sendStatelessReply(
    transport: Transport,
    source: MessageSource,
    headers: Headers,
    status: number,
    reason: string | undefined,
    extra: readonly HeaderInit[] = [],
  ): void {
    const top = parseVia(headers.get('Via') ?? '');
    const topVia = top.ok ? top.value[0] : undefined;
    const stamped = topVia ? stampVia(topVia, source.address, source.port, this.#forceRport) : undefined;
    const options: ResponseOptions = {
      toTag: newTag(),
      headers: this.#serverHeader ? [...extra, ['Server', this.#serverHeader]] : extra,
      ...(stamped && top.ok ? { vias: [stamped, ...top.value.slice(1), ...viasAfterFirstLine(headers)] } : {}),
    };
    const response = buildResponse(headers, status, reason, options);
    const target = stamped ? responseTarget(stamped) : { address: source.address, port: source.port };
    this.#sendWire(transport, { ...target, flowId: source.flowId }, serializeMessage(response), response);
  }

  #receiveRequest(transport: Transport, req: SipRequest, source: MessageSource): void {
    const checked = checkRequest(req, this.#sanity);
    if (!checked.ok) {
      if (req.method === 'ACK') return; // never answered, whatever is wrong with it
      const { status, reason, headers } = checked.error;
      this.#sendStatelessReply(transport, source, req.headers, status, status === 505 ? undefined : reason, headers ?? []);
      return;
    }
    const parsedTop = checked.value.vias[0];
    if (!parsedTop) return; // unreachable: Via is mandatory
    const top = stampVia(parsedTop, source.address, source.port, this.#forceRport);
    const core: RequestCore = { ...checked.value, vias: [top, ...checked.value.vias.slice(1)] };
    const key = serverKey(req, core, top);

    if (req.method === 'ACK') {
      const entry = this.#server.get(key);
      if (entry && entry.tx instanceof InviteServerTransaction) {
        entry.tx.receiveAck(); // ACK for a non-2xx final: the transaction's business only
        return;
      }
      this.#accepted.get(dialogAckKey(core))?.receiveAck2xx();
      this.#deliver(new ServerRequest(this, req, core, source, undefined));
      return;
    }

    const existing = this.#server.get(key);
    if (existing) {
      existing.tx.receiveRequest(); // retransmission: absorbed, last response resent
      return;
    }

    const route = this.#responseRoute(transport, source, top);
    if (req.method === 'CANCEL') {
      this.#receiveCancel(transport, req, core, source, key, route);
      return;
    }
    const incoming = new ServerRequest(this, req, core, source, undefined);
    const deps = this.#serverDeps(transport, key, route, incoming);
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(deps, serializeMessage(this.#buildReply(incoming, 100, undefined, {})))
        : new NonInviteServerTransaction(deps);
    incoming.attach(tx);
    this.#server.set(key, { tx, incoming });
    this.#deliver(incoming);
  }

  #receiveCancel(
    transport: Transport,
    req: SipRequest,
    core: RequestCore,
    source: MessageSource,
    key: string,
    route: ResponseRoute,
  ): void {
    const incoming = new ServerRequest(this, req, core, source, undefined);
    const tx = new NonInviteServerTransaction(this.#serverDeps(transport, key, route, incoming));
    incoming.attach(tx);
    this.#server.set(key, { tx, incoming });
    const invite = this.#server.get(key.replace(/\|CANCEL$/, '|INVITE'));
    if (!invite || !(invite.tx instanceof InviteServerTransaction)) {
      incoming.reply(481);
      return;
    }
    incoming.reply(200);
    if (invite.tx.cancel()) invite.incoming?.notifyCancel();
  }

  #serverDeps(transport: Transport, key: string, route: ResponseRoute, incoming: ServerRequest): ServerTransactionDeps {
    return {
      clock: this.#clock,
      timers: this.#timers,
      reliable: transport.reliable,
      send: (wire) => this.#sendWire(transport, route, wire, undefined),
      onTerminated: (reason) => {
        this.#server.delete(key);
        if (incoming.acceptedKey !== undefined) this.#accepted.delete(incoming.acceptedKey);
        if (reason !== 'completed' && reason !== 'engine-closed') {
          this.#log.debug({ method: incoming.request.method, callId: incoming.core.callId, reason }, 'sip server transaction ended early');
        }
      },
      autoRespond: (status) => {
        this.#log.warn({ method: incoming.request.method, callId: incoming.core.callId, status }, 'sip handler did not answer in time');
        incoming.reply(status);
      },
    };
  }

  #responseRoute(transport: Transport, source: MessageSource, top: Via): ResponseRoute {
    // Streams: back over the connection while it lives, else to received:port (RFC 3261 §18.2.2).
    const target = transport.reliable ? { address: source.address, port: responseTarget(top).port } : responseTarget(top);
    return { ...target, flowId: transport.reliable ? source.flowId : undefined };
  }

  #deliver(incoming: ServerRequest): void {
    const handler = this.#handler;
    if (!handler) {
      incoming.reply(503, 'No Handler');
      return;
    }
    try {
      handler(incoming);
    } catch (error) {
      this.#log.error({ err: error, method: incoming.request.method, callId: incoming.core.callId }, 'sip handler threw');
      incoming.reply(500);
    }
  }

  /** Builds a response to an incoming request (used by ServerRequest.reply). */
  #buildReply(incoming: ServerRequest, status: number, reason: string | undefined, options: ReplyOptions): SipResponse {
    const extra: HeaderInit[] = options.headers ? [...options.headers] : [];
    if (this.#serverHeader && !extra.some(([n]) => n.toLowerCase() === 'server')) extra.push(['Server', this.#serverHeader]);
    return buildResponse(incoming.request.headers, status, reason, {
      vias: incoming.core.vias,
      toTag: incoming.toTag,
      headers: extra,
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
  }

  /** Called by ServerRequest.reply. */
  replyTo(incoming: ServerRequest, tx: ServerTransaction, status: number, reason: string | undefined, options: ReplyOptions): boolean {
    if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`invalid SIP status ${status}`);
    const response = this.#buildReply(incoming, status, reason, options);
    const wire = serializeMessage(response);
    if (this.#log.isLevelEnabled('debug')) {
      this.#log.debug({ dir: 'out', status, method: incoming.request.method, callId: incoming.core.callId }, `SIP/2.0 ${status}`);
    }
    return this.#respondThrough(incoming, tx, status, wire, true);
  }

  /** Called by ServerRequest.forwardResponse. */
  forwardTo(incoming: ServerRequest, tx: ServerTransaction, response: SipResponse): boolean {
    if (this.#log.isLevelEnabled('debug')) {
      this.#log.debug({ dir: 'out', status: response.status, method: incoming.request.method, callId: incoming.core.callId }, 'SIP/2.0 (forwarded)');
    }
    return this.#respondThrough(incoming, tx, response.status, serializeMessage(response), false);
  }

  #respondThrough(incoming: ServerRequest, tx: ServerTransaction, status: number, wire: Buffer, retransmit2xx: boolean): boolean {
    const sent = tx instanceof InviteServerTransaction ? tx.respond(status, wire, retransmit2xx) : tx.respond(status, wire);
    if (sent && tx instanceof InviteServerTransaction && status >= 200 && status < 300) {
      incoming.acceptedKey = dialogAckKey(incoming.core);
      this.#accepted.set(incoming.acceptedKey, tx);
    }
    return sent;
  }

  #receiveResponse(res: SipResponse, source: MessageSource): void {
    const via = parseVia(res.headers.get('Via') ?? '');
    const cseq = parseCSeq(res.headers.get('CSeq') ?? '');
    const branch = via.ok && via.value[0] ? viaBranch(via.value[0]) : undefined;
    if (!cseq.ok || branch === undefined || res.version !== SIP_VERSION) {
      this.#log.debug({ source, status: res.status }, 'sip response dropped: malformed');
      return;
    }
    const tx = this.#client.get(clientKey(branch, cseq.value.method));
    if (!tx) {
      this.#log.debug({ source, status: res.status, branch }, 'sip response dropped: no matching transaction');
      return;
    }
    tx.receiveResponse(res);
  }

  // --- outbound ------------------------------------------------------------

  sendRequest(request: OutgoingRequest, options: { readonly destination: Destination; readonly branch?: string }): ClientRequest {
    const resolved = this.#resolve(options.destination);
    const branch = options.branch ?? newBranch();
    let headers = request.headers;
    if (resolved) {
      const via = `SIP/2.0/${resolved.transport.protocol.toUpperCase()} ${this.#advertisedHost}:${resolved.transport.localPort};branch=${branch};rport`;
      headers = headers.prepend('Via', via);
    }
    if (!headers.has('Max-Forwards')) headers = headers.append('Max-Forwards', '70');
    const sent: SipRequest = { kind: 'request', version: SIP_VERSION, method: request.method, uri: request.uri, headers, body: request.body };
    const handle = new ClientRequestHandle(sent, branch);
    if (!resolved) {
      handle.fail({ kind: 'transport-error', error: new Error('no transport for the destination') });
      return handle;
    }
    const { transport, target } = resolved;
    const key = clientKey(branch, request.method);
    const wire = serializeMessage(sent);
    const common = {
      clock: this.#clock,
      timers: this.#timers,
      reliable: transport.reliable,
      send: (data: Buffer) => {
        transport.send(target, data).then(
          () => undefined,
          (error: unknown) => this.#client.get(key)?.transportError(error instanceof Error ? error : new Error(String(error))),
        );
      },
      onResponse: (response: SipResponse) => handle.deliver(response),
      onFailure: (failure: ClientFailure) => handle.fail(failure),
      onTerminated: () => this.#client.delete(key),
    };
    let tx: ClientTransaction;
    if (request.method === 'INVITE') {
      const ict = new InviteClientTransaction(
        { ...common, buildAck: (response) => serializeMessage(ackFor(sent, response)), onTimerC: () => this.#sendCancel(sent, branch, resolved) },
        wire,
      );
      handle.setCanceller(() => {
        if (ict.state === 'proceeding') {
          this.#sendCancel(sent, branch, resolved);
          ict.cancelRequested();
        }
        return ict.state === 'calling' || ict.state === 'proceeding';
      });
      tx = ict;
    } else {
      tx = new NonInviteClientTransaction(common, wire);
    }
    this.#client.set(key, tx);
    if (this.#log.isLevelEnabled('debug')) {
      this.#log.debug({ dir: 'out', proto: transport.protocol, remote: `${target.address}:${target.port}` }, `${request.method} ${formatUri(request.uri)}`);
    }
    tx.start();
    return handle;
  }

  #sendCancel(invite: SipRequest, branch: string, resolved: ResolvedDestination): void {
    const key = clientKey(branch, 'CANCEL');
    if (this.#client.has(key)) return;
    const { transport, target } = resolved;
    const wire = serializeMessage(cancelFor(invite));
    const tx = new NonInviteClientTransaction(
      {
        clock: this.#clock,
        timers: this.#timers,
        reliable: transport.reliable,
        send: (data) => {
          transport.send(target, data).catch((error: unknown) => this.#client.get(key)?.transportError(error instanceof Error ? error : new Error(String(error))));
        },
        onResponse: () => undefined,
        onFailure: (failure) => this.#log.debug({ branch, failure: failure.kind }, 'sip CANCEL got no final response'),
        onTerminated: () => this.#client.delete(key),
      },
      wire,
    );
    this.#client.set(key, tx);
    tx.start();
  }

  sendStateless(message: SipRequest | SipResponse, destination: Destination): Promise<FlowId> {
    const resolved = this.#resolve(destination);
    if (!resolved) return Promise.reject(new Error('no transport for the destination'));
    return resolved.transport.send(resolved.target, serializeMessage(message));
  }

  #resolve(destination: Destination): ResolvedDestination | undefined {
    if ('flowId' in destination) {
      const flowId = destination.flowId;
      const protocol = flowId.slice(0, flowId.indexOf(':'));
      const transport = this.#transports.find((t) => t.protocol === protocol);
      if (!transport) return undefined;
      const udp = parseUdpFlowId(flowId);
      if (udp) return { transport, target: { ...udp, flowId } };
      // tcp:<n>:<address>:<port> — the address lets the transport reconnect if the flow is gone.
      const parts = /^[a-z]+:\d+:(.*):(\d+)$/.exec(flowId);
      if (!parts) return undefined;
      return { transport, target: { address: parts[1] ?? '', port: Number(parts[2]), flowId } };
    }
    const transport = this.#transports.find((t) => t.protocol === destination.protocol);
    return transport ? { transport, target: { address: destination.address, port: destination.port } } : undefined;
  }

  #sendWire(transport: Transport, target: ResponseRoute, wire: Buffer, response: SipResponse | undefined): void {
    if (this.#closed) return;
    if (response && this.#log.isLevelEnabled('debug')) {
      this.#log.debug({ dir: 'out', proto: transport.protocol, remote: `${target.address}:${target.port}` }, `SIP/2.0 ${response.status} ${response.reason}`);
    }
    transport.send(target, wire).catch((error: unknown) => {
      this.#log.debug({ err: error, remote: `${target.address}:${target.port}` }, 'sip response could not be sent');
    });
  }
}

type ResponseRoute = { readonly address: string; readonly port: number; readonly flowId: FlowId | undefined };
type ResolvedDestination = {
  readonly transport: Transport;
  readonly target: { readonly address: string; readonly port: number; readonly flowId?: FlowId };
};

/** The server side of one request: what a handler holds. */
class ServerRequest implements IncomingRequest {
  readonly #engine: Engine;
  #tx: ServerTransaction | undefined;
  #toTag: string | undefined;
  #cancelled = false;
  readonly #cancelListeners: Array<() => void> = [];
  /** Set once a 2xx to an INVITE went out, to find the transaction from the ACK. */
  acceptedKey: string | undefined;

  constructor(
    engine: Engine,
    readonly request: SipRequest,
    readonly core: RequestCore,
    readonly source: MessageSource,
    tx: ServerTransaction | undefined,
  ) {
    this.#engine = engine;
    this.#tx = tx;
  }

  attach(tx: ServerTransaction): void {
    this.#tx = tx;
  }

  get toTag(): string {
    this.#toTag ??= tagOf(this.core.to) ?? newTag();
    return this.#toTag;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  reply(status: number, reason?: string, options: ReplyOptions = {}): boolean {
    const tx = this.#tx;
    if (!tx) return false;
    return this.#engine.replyTo(this, tx, status, reason, options);
  }

  forwardResponse(response: SipResponse): boolean {
    const tx = this.#tx;
    if (!tx) return false;
    return this.#engine.forwardTo(this, tx, response);
  }

  onCancel(listener: () => void): void {
    if (this.#cancelled) listener();
    else this.#cancelListeners.push(listener);
  }

  notifyCancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    for (const listener of this.#cancelListeners.splice(0)) listener();
  }
}

class ClientRequestHandle implements ClientRequest {
  readonly outcome: Promise<ClientOutcome>;
  readonly #listeners: Array<(response: SipResponse) => void> = [];
  #settle: (outcome: ClientOutcome) => void = () => {};
  #settled = false;
  #canceller: (() => boolean) | undefined;
  #cancelPending = false;

  constructor(
    readonly request: SipRequest,
    readonly branch: string,
  ) {
    this.outcome = new Promise((resolve) => (this.#settle = resolve));
  }

  onResponse(listener: (response: SipResponse) => void): void {
    this.#listeners.push(listener);
  }

  setCanceller(canceller: () => boolean): void {
    this.#canceller = canceller;
  }

  cancel(): void {
    if (!this.#canceller || this.#settled) return;
    // Before any provisional the CANCEL must wait (RFC 3261 §9.1); the canceller says if it is still wanted.
    this.#cancelPending = this.#canceller();
  }

  deliver(response: SipResponse): void {
    for (const listener of this.#listeners) listener(response);
    if (response.status >= 200 && !this.#settled) {
      this.#settled = true;
      this.#settle({ kind: 'final', response });
    } else if (response.status < 200 && this.#cancelPending && this.#canceller) {
      this.#cancelPending = false;
      this.#canceller();
    }
  }

  fail(failure: ClientFailure): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(failure.kind === 'timeout' ? { kind: 'timeout' } : { kind: 'transport-error', error: failure.error });
  }
}

// --- keys and helper messages ----------------------------------------------

/**
 * Server transaction key (RFC 3261 §17.2.3): branch + sent-by + method, with ACK
 * matching its INVITE. Requests without an RFC 3261 branch (RFC 2543 peers,
 * RFC 4475 §3.2.1's bare "z9hG4bK") fall back to the RFC 2543 identifiers.
 */
function serverKey(req: SipRequest, core: RequestCore, top: Via): string {
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const branch = viaBranch(top);
  if (branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) {
    return `${branch}|${viaSentBy(top)}|${method}`;
  }
  return `2543|${core.callId}|${core.cseq.seq}|${tagOf(core.from) ?? ''}|${viaSentBy(top)}|${formatUri(req.uri)}|${method}`;
}

function clientKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

function dialogAckKey(core: RequestCore): string {
  return `${core.callId}|${core.cseq.seq}|${tagOf(core.from) ?? ''}`;
}

/** Via lines after the first one (the first line may itself hold several values). */
function viasAfterFirstLine(headers: Headers): Via[] {
  const out: Via[] = [];
  for (const line of headers.getAll('Via').slice(1)) {
    const parsed = parseVia(line);
    if (parsed.ok) out.push(...parsed.value);
  }
  return out;
}

/** ACK for a 3xx-6xx final (RFC 3261 §17.1.1.3): same Request-URI, top Via, Route; the response's To. */
function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  const h = invite.headers;
  const entries: HeaderInit[] = [['Via', h.get('Via') ?? '']];
  for (const route of h.getAll('Route')) entries.push(['Route', route]);
  entries.push(['Max-Forwards', '70']);
  entries.push(['From', h.get('From') ?? '']);
  entries.push(['To', response.headers.get('To') ?? h.get('To') ?? '']);
  entries.push(['Call-ID', h.get('Call-ID') ?? '']);
  const cseq = parseCSeq(h.get('CSeq') ?? '');
  entries.push(['CSeq', `${cseq.ok ? cseq.value.seq : 0} ACK`]);
  return { kind: 'request', method: 'ACK', uri: invite.uri, version: SIP_VERSION, headers: Headers.of(entries), body: EMPTY_BODY };
}

/** CANCEL for a pending INVITE (RFC 3261 §9.1): same top Via (branch), Request-URI, From, To, Call-ID, CSeq number. */
function cancelFor(invite: SipRequest): SipRequest {
  const h = invite.headers;
  const entries: HeaderInit[] = [['Via', h.get('Via') ?? '']];
  for (const route of h.getAll('Route')) entries.push(['Route', route]);
  entries.push(['Max-Forwards', '70']);
  entries.push(['From', h.get('From') ?? '']);
  entries.push(['To', h.get('To') ?? '']);
  entries.push(['Call-ID', h.get('Call-ID') ?? '']);
  const cseq = parseCSeq(h.get('CSeq') ?? '');
  entries.push(['CSeq', `${cseq.ok ? cseq.value.seq : 0} CANCEL`]);
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, version: SIP_VERSION, headers: Headers.of(entries), body: EMPTY_BODY };
}

function firstLine(data: Buffer): string {
  const end = data.indexOf('\r\n');
  return data.toString('utf8', 0, end < 0 ? Math.min(data.length, 200) : Math.min(end, 200));
}

