import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.ts';
import type { RequestCore } from '../sip/sanity.ts';
import type { ProxyOperation, ProxyOptions } from './proxy-operation.ts';

/**
 * The engine port: the one interface the SIP handlers (registrar, presence,
 * IM, call router, conference focus) are written against, so the same handlers
 * run on the embedded engine (src/realtime/sip) and on a drachtio server
 * (src/realtime/drachtio). It is cut to what both can do faithfully: what
 * drachtio-srf offers (req/res, srf.request, srf.proxyRequest) and what
 * RFC 3261 §16 requires of a stateful proxy. Messages are always this
 * project's parsed types, whichever engine carried them.
 */

/** Transport names as they appear in Via and `transport=` (lower-cased). */
export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * Where a request came from, and how to reach that client again (RFC 5626
 * flows): store it with a registration and pass it back as a `NextHop` to send
 * a NOTIFY or MESSAGE over the same connection / NAT binding.
 */
export type FlowRef = {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  /** Engine-specific flow id; opaque, and only meaningful to the engine that produced it. */
  readonly id: string;
};

/** Where to send a request, overriding the Request-URI / Route resolution. */
export type NextHop =
  | { readonly kind: 'flow'; readonly flow: FlowRef }
  | { readonly kind: 'address'; readonly transport: TransportName; readonly address: string; readonly port: number };

export type ReplyOptions = {
  readonly headers?: readonly HeaderInit[];
  readonly body?: Buffer | string;
};

/** A request delivered to a handler. */
export interface InboundRequest {
  /** The whole parsed message, as received. */
  readonly message: SipRequest;
  /** Via/From/To/Call-ID/CSeq/Max-Forwards/Contact, parsed and validated. */
  readonly core: RequestCore;
  readonly source: FlowRef;
  /** The To header carries a tag: the request belongs to a dialog (BYE, re-INVITE, in-dialog NOTIFY, ACK). */
  readonly inDialog: boolean;
  /**
   * The To tag this server's responses to the request carry (the request's own
   * when it has one). A handler that creates a dialog (a SUBSCRIBE's notifier)
   * needs it for the requests it sends later. Undefined on an engine that picks
   * the tag only when it answers; such handlers cannot serve the request there.
   */
  readonly toTag?: string;
  /**
   * Answers statefully (a To tag is added when needed). Returns false when no
   * response can be sent any more (an ACK, a final already sent, a proxied request).
   */
  reply(status: number, reason?: string, options?: ReplyOptions): boolean;
  /** INVITE only: a CANCEL for it arrived (already answered 200 by the engine). */
  onCancel(listener: () => void): void;
  readonly cancelled: boolean;
  /**
   * Proxies the request statefully (RFC 3261 §16). Events start on the next
   * microtask, so listeners attached right after this call see all of them.
   * A request is either replied to or proxied, never both.
   */
  proxy(options?: ProxyOptions): ProxyOperation;
}

/** A request this server originates: out of dialog, or within one when the caller supplies the dialog headers. */
export type OutboundRequestSpec = {
  /**
   * Any method but INVITE, ACK and CANCEL: sessions are set up by proxying
   * (or, later, by a B2BUA), and ACK/CANCEL belong to the INVITE transaction.
   */
  readonly method: string;
  readonly uri: string;
  /**
   * From, To, Call-ID, CSeq, Route, Event, Subscription-State, Content-Type...
   * Missing Call-ID, CSeq and Max-Forwards are filled in by the engine; Via
   * always is.
   */
  readonly headers: readonly HeaderInit[];
  readonly body?: Buffer | string;
  /** Send here (e.g. the subscriber's flow) instead of where Route / Request-URI point. */
  readonly nextHop?: NextHop;
};

export type OutboundOutcome =
  | { readonly kind: 'final'; readonly response: SipResponse }
  /** No final response in time (drachtio reports this as a locally generated 408 final instead). */
  | { readonly kind: 'timeout' }
  | { readonly kind: 'transport-error'; readonly message: string };

export interface OutboundRequest {
  /** Provisional responses, in arrival order (non-INVITE requests rarely get any). */
  onProvisional(listener: (response: SipResponse) => void): void;
  /** The final response, or why there is none. Never rejects. */
  readonly outcome: Promise<OutboundOutcome>;
}

export interface SignalingEngine {
  /** Which engine this is, for logs and the health endpoint. */
  readonly kind: 'embedded' | 'drachtio';
  /** One handler receives every request; it replies to it or proxies it. */
  onRequest(handler: (request: InboundRequest) => void): void;
  sendRequest(spec: OutboundRequestSpec): OutboundRequest;
  /** Idempotent; stops receiving and ends pending transactions. */
  close(): Promise<void>;
}

/** RFC 3261 §12.1: a request whose To carries a tag is within a dialog. */
export function isInDialog(core: RequestCore): boolean {
  return core.to.params.some(([name]) => name.toLowerCase() === 'tag');
}
