import type { Clock } from './clock.ts';
import { TimerSet } from './timer-set.ts';
import { transactionTimeout, type TimerConfig } from './timers.ts';

export type ServerTransactionDeps = {
  readonly clock: Clock;
  readonly timers: TimerConfig;
  /** Reliable transports need no response retransmission and no waiting for stray retransmissions. */
  readonly reliable: boolean;
  /** Puts a response on the wire (errors are the sender's to log; a response is best effort). */
  readonly send: (wire: Buffer) => void;
  /** Called once when the transaction is destroyed, so the owner drops it from its map. */
  readonly onTerminated: (reason: TerminationReason) => void;
  /**
   * Lets a transaction answer on the TU's behalf when the TU fails to: 487 after a
   * CANCEL, 408 after the INVITE leak guard. The owner builds the response and
   * calls `respond`.
   */
  readonly autoRespond: (status: number) => void;
};

export type TerminationReason =
  | 'completed'
  | 'ack-timeout'
  | 'abandoned-by-tu'
  | 'transport-error'
  | 'engine-closed';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8). Retransmitted
 * requests are absorbed (and answered with the last response); Timer J keeps
 * the transaction around to absorb them after the final response. A TU that
 * never answers cannot leak it: after 64 × T1 (the client has given up by then,
 * Timer F) the transaction is destroyed.
 */
export class NonInviteServerTransaction {
  readonly #deps: ServerTransactionDeps;
  readonly #timers: TimerSet;
  #state: NonInviteServerState = 'trying';
  #lastResponse: Buffer | undefined;

  constructor(deps: ServerTransactionDeps) {
    this.#deps = deps;
    this.#timers = new TimerSet(deps.clock);
    this.#timers.start('guard', transactionTimeout(deps.timers), () => this.terminate('abandoned-by-tu'));
  }

  get state(): NonInviteServerState {
    return this.#state;
  }

  get isInvite(): false {
    return false;
  }

  /** A retransmission of the request arrived. */
  receiveRequest(): void {
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#lastResponse) this.#deps.send(this.#lastResponse);
  }

  /** Sends a response from the TU; false when the transaction can no longer send one. */
  respond(status: number, wire: Buffer): boolean {
    if (this.#state === 'completed' || this.#state === 'terminated') return false;
    this.#lastResponse = wire;
    this.#deps.send(wire);
    if (status < 200) {
      this.#state = 'proceeding';
      return true;
    }
    this.#state = 'completed';
    this.#timers.stop('guard');
    // Timer J: 64*T1 on unreliable transports, zero on reliable ones.
    this.#timers.start('J', this.#deps.reliable ? 0 : transactionTimeout(this.#deps.timers), () => this.terminate('completed'));
    return true;
  }

  terminate(reason: TerminationReason): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clear();
    this.#deps.onTerminated(reason);
  }
}

/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with RFC 6026's
 * Accepted state). Sends 100 Trying at once; retransmits a 3xx-6xx final on
 * Timer G until the ACK (absorbed here) or Timer H; after a 2xx, keeps absorbing
 * INVITE retransmissions until Timer L and retransmits the 2xx until the ACK
 * (RFC 3261 §13.3.1.4, the UA core's job, done here so handlers need not).
 *
 * Leak guards: after a CANCEL the TU has `cancelGuard` to answer before a 487
 * is sent for it; an INVITE never answered at all gets a 408 after
 * `inviteServerTimeout`. Every path then ends on Timer H, I or L.
 */
export class InviteServerTransaction {
  readonly #deps: ServerTransactionDeps;
  readonly #timers: TimerSet;
  #state: InviteServerState = 'proceeding';
  #lastResponse: Buffer | undefined;
  #cancelled = false;

  constructor(deps: ServerTransactionDeps, trying: Buffer) {
    this.#deps = deps;
    this.#timers = new TimerSet(deps.clock);
    this.#lastResponse = trying;
    deps.send(trying);
    this.#timers.start('guard', deps.timers.inviteServerTimeout, () => this.#deps.autoRespond(408));
  }

  get state(): InviteServerState {
    return this.#state;
  }

  get isInvite(): true {
    return true;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  receiveRequest(): void {
    // Proceeding: resend the last provisional; Completed: the final; Accepted (RFC 6026): absorb.
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#lastResponse) this.#deps.send(this.#lastResponse);
  }

  /** `retransmit2xx` false: a proxy forwarding a 2xx leaves its retransmission to the UAS (RFC 3261 §16.7 step 10). */
  respond(status: number, wire: Buffer, retransmit2xx = true): boolean {
    if (this.#state !== 'proceeding') return false;
    this.#lastResponse = wire;
    this.#deps.send(wire);
    if (status < 200) return true;
    this.#timers.stop('guard');
    this.#timers.stop('cancel-guard');
    const t = this.#deps.timers;
    if (status < 300) {
      this.#state = 'accepted';
      this.#timers.start('L', transactionTimeout(t), () => this.terminate('completed'));
      if (!this.#deps.reliable && retransmit2xx) this.#retransmit2xx(t.t1);
      return true;
    }
    this.#state = 'completed';
    if (!this.#deps.reliable) this.#retransmitFinal(t.t1);
    this.#timers.start('H', transactionTimeout(t), () => this.terminate('ack-timeout'));
    return true;
  }

  #retransmitFinal(interval: number): void {
    this.#timers.start('G', interval, () => {
      if (this.#state !== 'completed' || !this.#lastResponse) return;
      this.#deps.send(this.#lastResponse);
      this.#retransmitFinal(Math.min(2 * interval, this.#deps.timers.t2));
    });
  }

  #retransmit2xx(interval: number): void {
    this.#timers.start('2xx', interval, () => {
      if (this.#state !== 'accepted' || !this.#lastResponse) return;
      this.#deps.send(this.#lastResponse);
      this.#retransmit2xx(Math.min(2 * interval, this.#deps.timers.t2));
    });
  }

  /** The ACK for a 3xx-6xx final (same branch) arrived. */
  receiveAck(): void {
    if (this.#state !== 'completed') return;
    this.#state = 'confirmed';
    this.#timers.stop('G');
    this.#timers.stop('H');
    // Timer I: absorb ACK retransmissions for T4 on unreliable transports.
    this.#timers.start('I', this.#deps.reliable ? 0 : this.#deps.timers.t4, () => this.terminate('completed'));
  }

  /** The ACK for our 2xx (a separate transaction, matched by dialog) arrived: stop retransmitting. */
  receiveAck2xx(): void {
    this.#timers.stop('2xx');
  }

  /**
   * A CANCEL matched this transaction. Returns true when the INVITE was still
   * pending (the TU should answer 487); the guard answers for it otherwise.
   */
  cancel(): boolean {
    if (this.#state !== 'proceeding' || this.#cancelled) return false;
    this.#cancelled = true;
    this.#timers.start('cancel-guard', this.#deps.timers.cancelGuard, () => this.#deps.autoRespond(487));
    return true;
  }

  terminate(reason: TerminationReason): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clear();
    this.#deps.onTerminated(reason);
  }
}

export type ServerTransaction = NonInviteServerTransaction | InviteServerTransaction;
