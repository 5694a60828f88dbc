import type { CommandMetadata } from '../../commands/command-handler.ts';
import type { CallTarget } from '../../events/domain/primitives.ts';
import type { NextHop } from '../engine/signaling-engine.ts';

/** What the router remembers of one call between its INVITE and its end. */
export type ActiveCall = {
  readonly sipCallId: string;
  /** The caller's AOR (`call.initiated.v1` caller). */
  readonly caller: string;
  /** The caller's From tag: tells a re-INVITE from the caller from one from the callee. */
  readonly callerTag: string | undefined;
  readonly metadata: CommandMetadata;
  /** The party currently routed to (a user's SIP URI or `tel:` number); null before the first route. */
  callee: CallTarget | null;
  /** Every party the call has reached, so a forward never loops back. */
  visited: string[];
  phase: 'setup' | 'answered' | 'held';
  /**
   * The connection the INVITE came over when the caller is only reachable
   * through it (WebSocket, RFC 7118 §6): in-dialog requests from the callee go
   * back over it. Undefined for UDP and for a caller reached at its Contact.
   */
  readonly callerHop: NextHop | undefined;
  /** Likewise for the callee: the flow of the branch that answered, for the caller's in-dialog requests. */
  calleeHop: NextHop | undefined;
};

/**
 * The calls this node routed, by Call-ID, for in-dialog requests (BYE,
 * re-INVITE). Node-local and in memory, like a dialog table: bounded so calls
 * whose BYE never came through here cannot grow it without end (the oldest go
 * first; `evicted` counts them).
 */
export class CallTable {
  readonly #calls = new Map<string, ActiveCall>();
  readonly #capacity: number;
  #evicted = 0;

  /** `capacity`: calls kept at most. Default 100 000. */
  constructor(capacity = 100_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#calls.size;
  }

  get evicted(): number {
    return this.#evicted;
  }

  get(sipCallId: string): ActiveCall | undefined {
    return this.#calls.get(sipCallId);
  }

  /** Adds a call; returns the one evicted to make room, if any. */
  add(call: ActiveCall): ActiveCall | undefined {
    this.#calls.set(call.sipCallId, call);
    if (this.#calls.size <= this.#capacity) return undefined;
    const oldest = this.#calls.values().next().value;
    if (oldest === undefined) return undefined;
    this.#calls.delete(oldest.sipCallId);
    this.#evicted++;
    return oldest;
  }

  delete(sipCallId: string): void {
    this.#calls.delete(sipCallId);
  }

  clear(): void {
    this.#calls.clear();
  }
}
