/**
 * Single-flight reads: callers asking the same question while it is being
 * answered share one query. Every commit wakes every subscription of the
 * process at once, and the live ones (all at the head, same batch size) then
 * ask exactly the same "events after N" — a dozen identical queries and
 * decodes per commit without this.
 *
 * A key must include the commit generation the read starts at (see
 * CommitSignal): a caller may only join a read that started after every
 * commit it has been told of, or it could be handed an answer older than a
 * wake-up it already consumed and sleep through that commit.
 */
export class SharedReads<T> {
  readonly #inFlight = new Map<string, Promise<readonly T[]>>();

  /** `read()` unless a read with this key is in flight; each caller gets its own array (the elements are shared). */
  async run(key: string, read: () => Promise<readonly T[]>): Promise<T[]> {
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = read();
      this.#inFlight.set(key, pending);
      const settled = pending;
      const forget = (): void => {
        if (this.#inFlight.get(key) === settled) this.#inFlight.delete(key);
      };
      settled.then(forget, forget);
    }
    return [...(await pending)];
  }

  /** Reads in flight, for tests. */
  get size(): number {
    return this.#inFlight.size;
  }
}
