/**
 * Group commit: turns many concurrent `submit` calls into few database
 * transactions. At most one batch is in flight; calls arriving meanwhile queue
 * and leave together in the next batch (bounded by item count and bytes). Each
 * caller's promise settles only after its batch's COMMIT, with its own result.
 *
 * Why one batch in flight is enough: appends serialise on the log's append lock
 * anyway, so a second concurrent transaction from this process would only wait
 * for the first; sending the queue as one transaction instead pays one round
 * trip and one WAL flush for all of it.
 *
 * If a whole batch fails (the SQL raised, the connection dropped), each item is
 * retried on its own so one poisonous item cannot fail its neighbours. That retry
 * is safe even when the failed batch did commit (ack lost on the wire): appends
 * are idempotent by event id, so the retry reports the original positions.
 */
export interface GroupCommitterOptions {
  /** Most items per batch. */
  readonly maxItems: number;
  /** Soft cap on the summed `sizeOf` of a batch; a single larger item still goes, alone. */
  readonly maxBytes: number;
}

export class GroupCommitterClosedError extends Error {
  constructor() {
    super('the event store is closed');
    this.name = 'GroupCommitterClosedError';
  }
}

interface Pending<T, R> {
  readonly item: T;
  readonly size: number;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommitter<T, R> {
  readonly #commit: (items: readonly T[]) => Promise<readonly R[]>;
  readonly #sizeOf: (item: T) => number;
  readonly #options: GroupCommitterOptions;
  readonly #queue: Pending<T, R>[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;

  /**
   * @param commit commits every item in ONE transaction and returns one result per item, in order;
   *   rejects only when the transaction as a whole failed.
   */
  constructor(
    commit: (items: readonly T[]) => Promise<readonly R[]>,
    sizeOf: (item: T) => number,
    options: GroupCommitterOptions,
  ) {
    this.#commit = commit;
    this.#sizeOf = sizeOf;
    this.#options = options;
  }

  submit(item: T): Promise<R> {
    if (this.#closed) return Promise.reject(new GroupCommitterClosedError());
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, size: this.#sizeOf(item), resolve, reject });
      this.#draining ??= this.#drain().finally(() => {
        this.#draining = null;
      });
    });
  }

  /** Refuses new items and resolves once everything already submitted has settled. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
  }

  async #drain(): Promise<void> {
    // Yield once so calls made in the same tick as the first one share its batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#takeBatch();
      try {
        const results = await this.#commit(batch.map((p) => p.item));
        if (results.length !== batch.length)
          throw new Error(`group commit returned ${results.length} results for ${batch.length} items`);
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (batchError) {
        if (batch.length === 1) {
          batch[0]!.reject(batchError);
          continue;
        }
        for (const p of batch) await this.#commitAlone(p);
      }
    }
  }

  async #commitAlone(p: Pending<T, R>): Promise<void> {
    try {
      const [result] = await this.#commit([p.item]);
      if (result === undefined) throw new Error('group commit returned no result');
      p.resolve(result);
    } catch (error) {
      p.reject(error);
    }
  }

  #takeBatch(): Pending<T, R>[] {
    let bytes = 0;
    let count = 0;
    for (const p of this.#queue) {
      if (count === this.#options.maxItems) break;
      if (count > 0 && bytes + p.size > this.#options.maxBytes) break;
      bytes += p.size;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }
}
