import type { HeaderInit, SipResponse } from '../sip/message.ts';
import type { NextHop } from './signaling-engine.ts';

/**
 * Stateful proxying (RFC 3261 §16) as the engine port exposes it. The shape
 * follows what drachtio's `srf.proxyRequest` can do (an ordered destination
 * list, simultaneous or sequential forking, record-route, provisional and
 * final timeouts, a stream of responses) so the call router can record call
 * events (ringing, answered, forwarded on no answer, busy) and move to the next
 * gateway on 5xx or timeout on both engines.
 */

export type ProxyTarget = {
  /** The Request-URI of this branch (a registered contact, a gateway's URI). */
  readonly uri: string;
  /**
   * Send this branch here rather than to the Request-URI, e.g. over the flow a
   * REGISTER came in on (client behind NAT). drachtio cannot pick a connection:
   * its adapter sends to the hop's address instead.
   */
  readonly nextHop?: NextHop;
  /**
   * This branch's own final timeout, overriding `ProxyOptions.branchTimeoutMs`
   * (call forwarding on no answer: the user's phones ring N s, the forward
   * target rings without that limit). Default: the operation's.
   */
  readonly branchTimeoutMs?: number;
};

export type ForkingMode = 'parallel' | 'sequential';

export type ProxyOptions = {
  /**
   * Default: the Request-URI as the only target, which is what an in-dialog
   * request (BYE, re-INVITE, ACK) or a request already addressed to its
   * destination needs (RFC 3261 §16.5, §16.12).
   */
  readonly targets?: readonly ProxyTarget[];
  /** `parallel`: all targets at once. `sequential` (default, as drachtio): the next one after a 3xx–5xx final or a timeout. */
  readonly forking?: ForkingMode;
  /**
   * Insert Record-Route so in-dialog requests (ACK, re-INVITE, BYE) come back
   * through this proxy (RFC 3261 §16.6 step 4). Default false. Never applied
   * to REGISTER or to requests already within a dialog.
   */
  readonly recordRoute?: boolean;
  /**
   * A branch with no final response after this long is cancelled and counts as
   * timed out (drachtio `finalTimeout`). Default: none; INVITE branches are
   * still bounded by timer C and every branch by timer B/F.
   */
  readonly branchTimeoutMs?: number;
  /** A branch with no response at all after this long is abandoned as timed out (drachtio `provisionalTimeout`). Default: none. */
  readonly provisionalTimeoutMs?: number;
  /** Extra headers added to every forwarded request (e.g. History-Info, Diversion). Default none. */
  readonly headers?: readonly HeaderInit[];
  /**
   * Relay only a request whose top Route names this proxy (a dialog it
   * record-routed); anything else is answered 404 Not Here (an ACK is dropped),
   * as Kamailio's `loose_route()` check does, so the server is no open relay for
   * in-dialog requests it never routed. Default false (RFC 3261 §16.4 alone).
   */
  readonly requireOwnRoute?: boolean;
};

/** Which branch an event is about. */
export type BranchRef = {
  /**
   * Index into the targets. The embedded engine always knows it; drachtio
   * reports only the responding address, so its adapter may leave it undefined.
   */
  readonly index: number | undefined;
  readonly target: ProxyTarget | undefined;
};

export type BranchOutcome =
  | { readonly kind: 'response'; readonly response: SipResponse }
  /** No final in time: transaction timeout, timer C, or the branch/provisional timeout. */
  | { readonly kind: 'timeout' }
  /** Cancelled before it answered (upstream CANCEL, another branch's 2xx or 6xx), and no final came back. */
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'transport-error'; readonly message: string };

export type ProxyResult =
  /** A 2xx was forwarded upstream. Later 2xx from other forks of an INVITE are forwarded too. */
  | { readonly kind: 'answered'; readonly branch: BranchRef; readonly response: SipResponse }
  /**
   * The best final response (RFC 3261 §16.7 step 6) went upstream. `response`
   * is the downstream response forwarded, absent when the proxy generated it
   * (408 when every branch timed out, 500 for a 503, 487 after a CANCEL with no answer).
   */
  | { readonly kind: 'failed'; readonly status: number; readonly response: SipResponse | undefined }
  /** Not forwarded at all: the proxy answered itself (482 loop, 483 Max-Forwards, 420, 416, no usable target). */
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string }
  /** An ACK for a 2xx (or another request with no response) was forwarded statelessly. */
  | { readonly kind: 'forwarded-stateless' }
  /** The engine failed (closed, drachtio disconnected); upstream may have received nothing. */
  | { readonly kind: 'error'; readonly message: string };

export type ProxyEvents = {
  'branch-started': [branch: BranchRef];
  /** 101–199 from a branch (100 is hop-by-hop and never reported). */
  provisional: [branch: BranchRef, response: SipResponse];
  'branch-completed': [branch: BranchRef, outcome: BranchOutcome];
  /** The caller cancelled (CANCEL from upstream): pending branches are being cancelled. */
  'upstream-cancel': [];
  completed: [result: ProxyResult];
};

export interface ProxyOperation {
  on<K extends keyof ProxyEvents>(event: K, listener: (...args: ProxyEvents[K]) => void): this;
  off<K extends keyof ProxyEvents>(event: K, listener: (...args: ProxyEvents[K]) => void): this;
  /** Settles once the final outcome is known (same value as the `completed` event). Never rejects. */
  readonly result: Promise<ProxyResult>;
  /**
   * Grows the target set while the response context is still open (RFC 3261
   * §16.5–16.6: targets may be added until a final response goes upstream),
   * for call forwarding on busy or no answer. Call it at the latest from the
   * `branch-completed` listener of the last pending branch: the best final
   * response is chosen right after that event. New targets start at once in
   * parallel mode and queue up in sequential mode. Returns false, and adds
   * nothing, when the context is closed (final sent, CANCELled, 6xx received)
   * or the engine cannot grow a target set (drachtio).
   */
  addTargets(targets: readonly ProxyTarget[]): boolean;
}
