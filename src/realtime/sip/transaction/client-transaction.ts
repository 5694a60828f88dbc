import type { SipResponse } from '../message.ts';
import type { Clock } from './clock.ts';
import { TimerSet } from './timer-set.ts';
import { transactionTimeout, type TimerConfig } from './timers.ts';

export type ClientTransactionDeps = {
  readonly clock: Clock;
  readonly timers: TimerConfig;
  readonly reliable: boolean;
  /** Puts the request (or ACK) on the wire; a failure must come back through `transportError`. */
  readonly send: (wire: Buffer) => void;
  /** Every response passed to the TU (provisionals, the final, later 2xx from other forks). */
  readonly onResponse: (response: SipResponse) => void;
  /** Timer B / F fired without a final response, or the transport failed. */
  readonly onFailure: (failure: ClientFailure) => void;
  readonly onTerminated: () => void;
};

export type ClientFailure = { readonly kind: 'timeout' } | { readonly kind: 'transport-error'; readonly error: Error };

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): Timer E
 * retransmits (T1 doubling to T2; T2 once a provisional arrived) over UDP,
 * Timer F gives up after 64 × T1, Timer K absorbs final retransmissions.
 */
export class NonInviteClientTransaction {
  readonly #deps: ClientTransactionDeps;
  readonly #timers: TimerSet;
  readonly #request: Buffer;
  #state: NonInviteClientState = 'trying';

  constructor(deps: ClientTransactionDeps, request: Buffer) {
    this.#deps = deps;
    this.#request = request;
    this.#timers = new TimerSet(deps.clock);
  }

  get state(): NonInviteClientState {
    return this.#state;
  }

  start(): void {
    this.#deps.send(this.#request);
    if (!this.#deps.reliable) this.#scheduleE(this.#deps.timers.t1);
    this.#timers.start('F', transactionTimeout(this.#deps.timers), () => {
      if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
      this.#deps.onFailure({ kind: 'timeout' });
      this.terminate();
    });
  }

  #scheduleE(interval: number): void {
    this.#timers.start('E', interval, () => {
      if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
      this.#deps.send(this.#request);
      const t2 = this.#deps.timers.t2;
      this.#scheduleE(this.#state === 'proceeding' ? t2 : Math.min(2 * interval, t2));
    });
  }

  receiveResponse(response: SipResponse): void {
    if (this.#state === 'completed' || this.#state === 'terminated') return; // retransmitted final: absorbed
    if (response.status < 200) {
      this.#state = 'proceeding';
      this.#deps.onResponse(response);
      return;
    }
    this.#state = 'completed';
    this.#timers.stop('E');
    this.#timers.stop('F');
    this.#deps.onResponse(response);
    this.#timers.start('K', this.#deps.reliable ? 0 : this.#deps.timers.t4, () => this.terminate());
  }

  transportError(error: Error): void {
    if (this.#state === 'terminated') return;
    if (this.#state === 'trying' || this.#state === 'proceeding') this.#deps.onFailure({ kind: 'transport-error', error });
    this.terminate();
  }

  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clear();
    this.#deps.onTerminated();
  }
}

export type InviteClientDeps = ClientTransactionDeps & {
  /** Builds the ACK for a 3xx-6xx final (RFC 3261 §17.1.1.3): same branch, To with the response's tag. */
  readonly buildAck: (response: SipResponse) => Buffer;
  /** Timer C fired in Proceeding: the owner sends a CANCEL (RFC 3261 §16.8). */
  readonly onTimerC: () => void;
};

/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5, with RFC 6026's
 * Accepted state): Timer A retransmits over UDP, Timer B gives up in Calling,
 * Timer D absorbs final retransmissions (re-sending the ACK), Timer M keeps
 * passing 2xx from other forks up. Timer C bounds Proceeding: it asks the owner
 * to CANCEL and, if no final response follows within 64 × T1, fails with a timeout.
 */
export class InviteClientTransaction {
  readonly #deps: InviteClientDeps;
  readonly #timers: TimerSet;
  readonly #request: Buffer;
  #state: InviteClientState = 'calling';
  #ack: Buffer | undefined;
  #failed = false;

  constructor(deps: InviteClientDeps, request: Buffer) {
    this.#deps = deps;
    this.#request = request;
    this.#timers = new TimerSet(deps.clock);
  }

  get state(): InviteClientState {
    return this.#state;
  }

  start(): void {
    this.#deps.send(this.#request);
    if (!this.#deps.reliable) this.#scheduleA(this.#deps.timers.t1);
    this.#timers.start('B', transactionTimeout(this.#deps.timers), () => {
      if (this.#state === 'calling') this.#fail({ kind: 'timeout' });
    });
  }

  #scheduleA(interval: number): void {
    this.#timers.start('A', interval, () => {
      if (this.#state !== 'calling') return;
      this.#deps.send(this.#request);
      this.#scheduleA(2 * interval);
    });
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.#state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          if (this.#state === 'calling') {
            this.#state = 'proceeding';
            this.#timers.stop('A');
            this.#timers.stop('B');
            this.#startTimerC();
          }
          this.#deps.onResponse(response);
          return;
        }
        this.#timers.stop('A');
        this.#timers.stop('B');
        this.#timers.stop('C');
        this.#timers.stop('C-grace');
        if (status < 300) {
          this.#state = 'accepted';
          this.#deps.onResponse(response);
          this.#timers.start('M', transactionTimeout(this.#deps.timers), () => this.terminate());
          return;
        }
        this.#state = 'completed';
        this.#ack = this.#deps.buildAck(response);
        this.#deps.send(this.#ack);
        this.#deps.onResponse(response);
        this.#timers.start('D', this.#deps.reliable ? 0 : this.#deps.timers.timerD, () => this.terminate());
        return;
      case 'completed':
        if (status >= 300 && this.#ack) this.#deps.send(this.#ack);
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.#deps.onResponse(response);
        return;
      case 'terminated':
        return;
      default: {
        const never: never = this.#state;
        return never;
      }
    }
  }

  #startTimerC(): void {
    this.#timers.start('C', this.#deps.timers.timerC, () => {
      if (this.#state !== 'proceeding') return;
      this.#deps.onTimerC();
      this.#timers.start('C-grace', transactionTimeout(this.#deps.timers), () => {
        if (this.#state === 'proceeding') this.#fail({ kind: 'timeout' });
      });
    });
  }

  /**
   * The owner sent a CANCEL: if no final response follows within 64 × T1 the
   * INVITE is given up (RFC 3261 §9.1), so a peer that never answers 487 cannot leak it.
   */
  cancelRequested(): void {
    if (this.#state !== 'proceeding' || this.#timers.has('C-grace')) return;
    this.#timers.stop('C');
    this.#timers.start('C-grace', transactionTimeout(this.#deps.timers), () => {
      if (this.#state === 'proceeding') this.#fail({ kind: 'timeout' });
    });
  }

  transportError(error: Error): void {
    if (this.#state === 'calling' || this.#state === 'proceeding') this.#fail({ kind: 'transport-error', error });
    else this.terminate();
  }

  #fail(failure: ClientFailure): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#deps.onFailure(failure);
    this.terminate();
  }

  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clear();
    this.#deps.onTerminated();
  }
}

export type ClientTransaction = NonInviteClientTransaction | InviteClientTransaction;
