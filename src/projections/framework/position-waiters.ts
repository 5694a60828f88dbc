interface Waiter {
  readonly target: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The read-your-writes primitive shared by SQL runners and in-memory views:
 * callers park on a global position and are released when the owner reports
 * it has applied that far, or rejected when it times out, fails or closes.
 */
export class PositionWaiters {
  readonly #waiters = new Set<Waiter>();
  #position = 0n;

  /** The furthest position reported so far. */
  get position(): bigint {
    return this.#position;
  }

  /**
   * Resolves once `advance` has reported `target` or beyond (at once if it
   * already has). `onTimeout` builds the rejection after `timeoutMs`.
   */
  wait(target: bigint, timeoutMs: number, onTimeout: (reached: bigint) => Error): Promise<void> {
    if (target <= this.#position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        target,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(onTimeout(this.#position));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Records progress and releases every waiter at or below it. */
  advance(position: bigint): void {
    this.#position = position;
    for (const w of this.#waiters) {
      if (w.target > position) continue;
      clearTimeout(w.timer);
      this.#waiters.delete(w);
      w.resolve();
    }
  }

  /**
   * Moves the position back without releasing anyone: a rebuild starts from 0
   * and callers that wait must see the rebuilt rows, not the dropped ones.
   */
  reset(position: bigint): void {
    this.#position = position;
  }

  /** Rejects every waiter (the owner failed or closed). */
  rejectAll(error: Error): void {
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.#waiters.clear();
  }
}
