import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../logging/logger.ts';
import { newCallId } from '../sip/ids.ts';
import { Headers, EMPTY_BODY } from '../sip/message.ts';
import { destinationForHop, destinationForUri } from '../sip/proxy/next-hop.ts';
import { routesOf } from '../sip/proxy/route-processing.ts';
import { StatefulProxy } from '../sip/proxy/stateful-proxy.ts';
import type { SipEngine } from '../sip/sip-engine.ts';
import type { Clock } from '../sip/transaction/clock.ts';
import { parseUri } from '../sip/uri.ts';
import { EmbeddedInboundRequest } from './embedded-inbound-request.ts';
import type { InboundRequest, OutboundOutcome, OutboundRequest, OutboundRequestSpec, SignalingEngine } from './signaling-engine.ts';

export type EmbeddedSignalingEngineOptions = {
  /** The engine to run on; closing this port closes it. */
  readonly engine: SipEngine;
  /** Option tags the proxy accepts in Proxy-Require; keep equal to the engine's. Default none. */
  readonly supportedOptionTags?: readonly string[];
  /** Timer source for proxy branch timeouts. Default: real time. */
  readonly clock?: Clock;
  readonly logger?: Logger;
};

const NOT_ORIGINATED = new Set(['INVITE', 'ACK', 'CANCEL']);

/** The engine port on the embedded SIP engine (src/realtime/sip) and its RFC 3261 §16 proxy. */
export class EmbeddedSignalingEngine implements SignalingEngine {
  readonly kind = 'embedded';
  readonly #engine: SipEngine;
  readonly #proxy: StatefulProxy;
  readonly #log: Logger;
  #closed: Promise<void> | undefined;

  constructor(options: EmbeddedSignalingEngineOptions) {
    this.#engine = options.engine;
    this.#log = options.logger ?? moduleLogger('signaling-engine');
    this.#proxy = new StatefulProxy({
      engine: options.engine,
      logger: this.#log,
      ...(options.supportedOptionTags ? { supportedOptionTags: options.supportedOptionTags } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  onRequest(handler: (request: InboundRequest) => void): void {
    this.#engine.onRequest((incoming) => handler(new EmbeddedInboundRequest(incoming, this.#proxy)));
  }

  /**
   * Throws (a programming error, not a network outcome) for INVITE/ACK/CANCEL,
   * an unparseable URI, a missing From or no way to reach the target.
   */
  sendRequest(spec: OutboundRequestSpec): OutboundRequest {
    if (NOT_ORIGINATED.has(spec.method)) throw new RangeError(`${spec.method} cannot be originated through the engine port`);
    const uri = parseUri(spec.uri);
    if (!uri.ok) throw new TypeError(`invalid Request-URI ${JSON.stringify(spec.uri)}: ${uri.error}`);
    let headers = Headers.of(spec.headers);
    if (!headers.has('From')) throw new TypeError('an outbound request needs a From header');
    if (!headers.has('To')) headers = headers.append('To', `<${spec.uri}>`);
    if (!headers.has('Call-ID')) headers = headers.append('Call-ID', newCallId(this.#engine.advertisedHost));
    if (!headers.has('CSeq')) headers = headers.append('CSeq', `1 ${spec.method}`);
    const body = spec.body === undefined ? EMPTY_BODY : typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : spec.body;
    const request = { method: spec.method, uri: uri.value, headers, body };
    const routes = routesOf({ kind: 'request', version: 'SIP/2.0', ...request });
    const top = routes.ok ? routes.value[0] : undefined;
    const destination = spec.nextHop ? destinationForHop(spec.nextHop) : destinationForUri(top ? top.uri : uri.value);
    if (!destination) throw new TypeError(`no route to ${spec.uri}`);
    const client = this.#engine.sendRequest(request, { destination });
    const outcome: Promise<OutboundOutcome> = client.outcome.then((o) => {
      switch (o.kind) {
        case 'final':
          return { kind: 'final', response: o.response };
        case 'timeout':
          return { kind: 'timeout' };
        case 'transport-error':
          return { kind: 'transport-error', message: o.error.message };
        default: {
          const never: never = o;
          return never;
        }
      }
    });
    return {
      onProvisional: (listener) => client.onResponse((response) => response.status < 200 && listener(response)),
      outcome,
    };
  }

  close(): Promise<void> {
    this.#closed ??= this.#engine.close().then(() => this.#log.debug('embedded signaling engine closed'));
    return this.#closed;
  }
}
