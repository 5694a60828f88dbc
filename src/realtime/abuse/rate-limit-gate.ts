import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { IncomingRequest } from '../sip/sip-engine.ts';
import type { SourceRateLimiter } from './source-rate-limiter.ts';

/** What the gate uses of a request; the engine's IncomingRequest satisfies it. */
export type GatedRequest = Pick<IncomingRequest, 'request' | 'source' | 'reply'>;

export type RateLimitGateOptions<R extends GatedRequest> = {
  readonly limiter: SourceRateLimiter;
  /** Where admitted requests go. */
  readonly next: (request: R) => void;
  readonly logger?: Logger;
};

/**
 * Puts a per-source rate limit in front of a SIP request handler.
 *
 * Over the limit:
 * - connection transports (TCP, TLS, WS: the source address is proven by the
 *   handshake) always get `503 Service Unavailable` with `Retry-After`
 *   (RFC 3261 §21.5.4), which compliant clients honour;
 * - UDP gets that 503 once per burst (the first refusal after the source was
 *   last admitted) and silence afterwards: answering every datagram of a flood
 *   would spend our bandwidth on a sender that ignores Retry-After, or reflect
 *   traffic at a spoofed address. The unanswered transaction just ends on its
 *   own timer (64×T1) and absorbs the sender's retransmissions meanwhile, so
 *   they cost no tokens.
 *
 * ACK and CANCEL always pass: neither can be refused with a response, and
 * dropping a CANCEL would leave a call ringing.
 */
export class RateLimitGate<R extends GatedRequest = IncomingRequest> {
  readonly #limiter: SourceRateLimiter;
  readonly #next: (request: R) => void;
  readonly #log: Logger;
  #refused = 0;

  constructor(options: RateLimitGateOptions<R>) {
    this.#limiter = options.limiter;
    this.#next = options.next;
    this.#log = options.logger ?? moduleLogger('sip-abuse');
  }

  /** Requests refused so far (answered or dropped). */
  get refused(): number {
    return this.#refused;
  }

  /** Pass this to `engine.onRequest`. */
  readonly handle = (incoming: R): void => {
    const method = incoming.request.method;
    if (method === 'ACK' || method === 'CANCEL') {
      this.#next(incoming);
      return;
    }
    const decision = this.#limiter.take(incoming.source.address);
    if (decision.allowed) {
      this.#next(incoming);
      return;
    }
    this.#refused++;
    if (incoming.source.protocol !== 'udp' || decision.firstRefusal) {
      if (decision.firstRefusal) this.#log.warn({ source: incoming.source.address, method }, 'sip source over its rate limit');
      incoming.reply(503, 'Rate Limit Exceeded', { headers: [['Retry-After', String(decision.retryAfterSeconds)]] });
    }
  };
}
