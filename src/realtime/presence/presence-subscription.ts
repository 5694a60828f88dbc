import type { Logger } from 'pino';
import type { AggregatedPresence } from '../../projections/presence/presence-inputs.ts';
import type { PresenceReader } from '../../projections/presence/presence-reader.ts';
import type { FlowRef, OutboundOutcome } from '../engine/signaling-engine.ts';
import type { HeaderInit } from '../sip/message.ts';
import { PIDF_CONTENT_TYPE } from './pidf-model.ts';
import { samePresence } from './presence-document.ts';
import { PresenceSnapshot } from './presence-snapshot.ts';
import type { NotifySender } from './presence-ports.ts';
import { PRESENCE_EVENT } from './presence-sip.ts';

/** The notifier's side of one SUBSCRIBE dialog (RFC 3261 §12.1.1, RFC 6665 §4.2). */
export type SubscriptionDialog = {
  /** The id the log knows the subscription by (stable across refreshes). */
  readonly subscriptionId: string;
  readonly presentity: string;
  readonly watcher: string;
  readonly callId: string;
  /** Our tag: the To tag of our 2xx, the From tag of every NOTIFY. */
  readonly localTag: string;
  /** From of our NOTIFYs: the SUBSCRIBE's To with our tag. */
  readonly localIdentity: string;
  /** To of our NOTIFYs: the SUBSCRIBE's From, as received (with the watcher's tag). */
  readonly remoteIdentity: string;
  /** The Event header's id parameter, echoed in every NOTIFY. */
  readonly eventId: string | undefined;
  /** Record-Route of the SUBSCRIBE, in order: the NOTIFYs' Route set. */
  readonly routeSet: readonly string[];
  /** Our Contact, in the 2xx and in every NOTIFY. */
  readonly localContact: string;
};

export type TerminationReason = 'timeout' | 'deactivated' | 'noresource' | 'rejected' | 'giveup';

export type PresenceSubscriptionOptions = {
  readonly dialog: SubscriptionDialog;
  /** The SUBSCRIBE's Contact: the Request-URI of every NOTIFY (refreshable). */
  readonly remoteTarget: string;
  /** The flow the SUBSCRIBE arrived on: NOTIFYs go back through it (RFC 5626 §4.3 behaviour, NAT-friendly). */
  readonly flow: FlowRef;
  readonly expiresAt: Date;
  readonly sender: NotifySender;
  readonly presence: PresenceReader;
  readonly now: () => Date;
  /** The watcher refused a NOTIFY (any non-2xx, including 481) or could not be reached: the subscription is over. */
  readonly onFailed: (subscription: PresenceSubscription, why: string) => void;
  readonly logger: Logger;
};

/**
 * One active presence subscription: its dialog, the CSeq of the NOTIFYs it
 * sends, and what the watcher was last told. RFC 6665 §4.2.2 forbids a new
 * NOTIFY on a dialog before the previous one has its final response, so at most
 * one is in flight; changes meanwhile collapse into one NOTIFY of the latest
 * state, and a NOTIFY that would repeat the last state is not sent.
 */
export class PresenceSubscription {
  readonly dialog: SubscriptionDialog;
  readonly #sender: NotifySender;
  readonly #presence: PresenceReader;
  readonly #now: () => Date;
  readonly #onFailed: (subscription: PresenceSubscription, why: string) => void;
  readonly #log: Logger;
  #remoteTarget: string;
  #flow: FlowRef;
  #expiresAt: Date;
  #cseq = 0;
  #lastSent: AggregatedPresence | undefined;
  #inFlight: Promise<void> | undefined;
  /** A NOTIFY is owed once the one in flight is answered: `force` sends it even when the state looks unchanged. */
  #owed: { force: boolean } | undefined;
  #terminated: Promise<void> | undefined;

  constructor(options: PresenceSubscriptionOptions) {
    this.dialog = options.dialog;
    this.#remoteTarget = options.remoteTarget;
    this.#flow = options.flow;
    this.#expiresAt = options.expiresAt;
    this.#sender = options.sender;
    this.#presence = options.presence;
    this.#now = options.now;
    this.#onFailed = options.onFailed;
    this.#log = options.logger;
  }

  get expiresAt(): Date {
    return this.#expiresAt;
  }

  get terminated(): boolean {
    return this.#terminated !== undefined;
  }

  /** A refresh: new expiry, and the watcher may have moved (target refresh, RFC 6665 §4.1.2.1). */
  refresh(expiresAt: Date, remoteTarget: string | undefined, flow: FlowRef): void {
    this.#expiresAt = expiresAt;
    if (remoteTarget !== undefined) this.#remoteTarget = remoteTarget;
    this.#flow = flow;
  }

  /**
   * Sends the current state (`force`: even if unchanged, as after a SUBSCRIBE
   * or refresh, RFC 6665 §4.2.1.1). Returns without waiting for the response.
   * `current`: the presentity's state just read by the caller for every
   * watcher at once (its PIDF is built once); when a NOTIFY is still in
   * flight it is not kept, the owed NOTIFY reads the state again when it goes.
   */
  notify(force: boolean, current?: PresenceSnapshot): void {
    if (this.#terminated) return;
    if (this.#inFlight) {
      this.#owed = { force: force || (this.#owed?.force ?? false) };
      return;
    }
    const snapshot = current?.presentity === this.dialog.presentity ? current : this.#snapshot();
    if (!force && this.#lastSent && samePresence(this.#lastSent, snapshot.presence)) return;
    const seconds = Math.max(0, Math.ceil((this.#expiresAt.getTime() - this.#now().getTime()) / 1000));
    this.#inFlight = this.#send(`active;expires=${seconds}`, snapshot).finally(() => {
      this.#inFlight = undefined;
      const owed = this.#owed;
      this.#owed = undefined;
      if (owed) this.notify(owed.force);
    });
  }

  /**
   * Ends the subscription with a final NOTIFY (`terminated;reason=…`, carrying
   * the last state, RFC 6665 §4.2.2), after any NOTIFY in flight. Idempotent;
   * resolves once the watcher answered or the transaction gave up.
   */
  terminate(reason: TerminationReason): Promise<void> {
    this.#terminated ??= (async () => {
      this.#owed = undefined;
      await this.#inFlight;
      await this.#send(`terminated;reason=${reason}`, this.#snapshot(), true);
    })();
    return this.#terminated;
  }

  /** Marks the subscription over without a NOTIFY (the watcher already said it is gone). */
  abandon(): void {
    this.#owed = undefined;
    this.#terminated ??= Promise.resolve();
  }

  #snapshot(): PresenceSnapshot {
    const at = this.#now();
    return new PresenceSnapshot(this.dialog.presentity, this.#presence.presenceOf(this.dialog.presentity, at.toISOString()), at);
  }

  async #send(state: string, snapshot: PresenceSnapshot, final = false): Promise<void> {
    const d = this.dialog;
    const body = snapshot.body;
    const headers: HeaderInit[] = [
      ['From', d.localIdentity],
      ['To', d.remoteIdentity],
      ['Call-ID', d.callId],
      ['CSeq', `${++this.#cseq} NOTIFY`],
      ...d.routeSet.map((r): HeaderInit => ['Route', r]),
      ['Contact', d.localContact],
      ['Event', d.eventId === undefined ? PRESENCE_EVENT : `${PRESENCE_EVENT};id=${d.eventId}`],
      ['Subscription-State', state],
      ['Content-Type', PIDF_CONTENT_TYPE],
    ];
    this.#lastSent = snapshot.presence;
    let outcome: OutboundOutcome;
    try {
      outcome = await this.#sender.sendRequest({ method: 'NOTIFY', uri: this.#remoteTarget, headers, body, nextHop: { kind: 'flow', flow: this.#flow } }).outcome;
    } catch (error) {
      outcome = { kind: 'transport-error', message: error instanceof Error ? error.message : String(error) };
    }
    const failure = failureOf(outcome);
    if (failure === undefined) return;
    this.#log.info({ subscriptionId: d.subscriptionId, watcher: d.watcher, failure }, 'NOTIFY failed; subscription ends');
    if (!final) {
      this.abandon();
      this.#onFailed(this, failure);
    }
  }
}

/** Undefined for a 2xx; else why the watcher is considered gone (RFC 6665 §4.2.2: a failed NOTIFY removes the subscription). */
function failureOf(outcome: OutboundOutcome): string | undefined {
  switch (outcome.kind) {
    case 'final':
      return outcome.response.status < 300 ? undefined : `${outcome.response.status} ${outcome.response.reason}`;
    case 'timeout':
      return 'no response';
    case 'transport-error':
      return outcome.message;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}
