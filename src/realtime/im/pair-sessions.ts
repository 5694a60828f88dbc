/** The open page-mode session of one pair of users, as this node knows it. */
export type PairSession = {
  readonly sessionId: string;
  /** Milliseconds since the epoch of the pair's last message. */
  readonly lastActivityMs: number;
};

/**
 * Which IM session is open between two users, and a queue per pair.
 *
 * Page-mode MESSAGEs (RFC 3428) carry no session: most clients even use a new
 * Call-ID per message. The IM aggregate models a conversation as a session, so
 * this index groups the messages of a pair into one session until the pair
 * goes quiet. It is node-local memory: after a restart, or on another node of
 * the pool, the pair's next message opens a new session. That is a modelling
 * choice with no loss: every message is in the log either way.
 *
 * The queue runs one task per pair at a time, so two MESSAGEs of a pair that
 * cross never open two sessions, and messages are logged in arrival order.
 */
export class PairSessions {
  readonly #sessions = new Map<string, PairSession>();
  readonly #queues = new Map<string, Promise<void>>();

  /** Order-free key of a pair (`alice,bob` = `bob,alice`). */
  static keyOf(a: string, b: string): string {
    return a < b ? `${a}\n${b}` : `${b}\n${a}`;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(pair: string): PairSession | undefined {
    return this.#sessions.get(pair);
  }

  set(pair: string, session: PairSession): void {
    this.#sessions.set(pair, session);
  }

  /** Forgets the pair's session, but only if it is still `sessionId` (a newer one is kept). */
  forget(pair: string, sessionId: string): void {
    if (this.#sessions.get(pair)?.sessionId === sessionId) this.#sessions.delete(pair);
  }

  /** Pairs whose last message is at or before `cutoffMs`. */
  idleSince(cutoffMs: number): Array<[pair: string, session: PairSession]> {
    return [...this.#sessions].filter(([, s]) => s.lastActivityMs <= cutoffMs);
  }

  entries(): Array<[pair: string, session: PairSession]> {
    return [...this.#sessions];
  }

  /** Runs `task` after every task queued before for this pair; its outcome is the returned promise's. */
  run<T>(pair: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(pair) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(pair, tail);
    // The last task of a pair removes the queue, so quiet pairs cost nothing.
    void tail.then(() => {
      if (this.#queues.get(pair) === tail) this.#queues.delete(pair);
    });
    return result;
  }
}
