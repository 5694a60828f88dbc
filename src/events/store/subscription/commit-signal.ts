/**
 * A level-triggered "something may have been committed" signal. Readers note
 * the `generation` BEFORE reading and wait only if it has not moved since, so a
 * commit landing between their read and their wait is never slept through.
 */
export class CommitSignal {
  #generation = 0;
  readonly #waiters = new Set<() => void>();

  get generation(): number {
    return this.#generation;
  }

  /** Wakes every waiter. Cheap; call after each commit and on any external hint (NOTIFY). */
  notify(): void {
    this.#generation += 1;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /**
   * Resolves when `notify` is called after `seenGeneration` was read, after `timeoutMs`
   * (the poll fallback), or when `abort` fires — whichever is first.
   */
  wait(seenGeneration: number, timeoutMs: number, abort: AbortSignal): Promise<void> {
    if (this.#generation !== seenGeneration || abort.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        abort.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      abort.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }
}
