import type { EventShape, RecordedEvent } from '../../envelope.ts';
import type { EventSubscription, ReadAllFilter, SubscribeOptions, SubscriptionHandler } from '../../event-store.ts';
import type { CommitSignal } from './commit-signal.ts';

/** What a subscription needs from a log whose positions become visible in numeric order. */
export interface SubscriptionSource<E extends EventShape> {
  /** Events strictly after `after`, in global order, at most `limit`. */
  readAfter(after: bigint, limit: number, filter: ReadAllFilter | undefined): Promise<RecordedEvent<E>[]>;
  headPosition(): Promise<bigint>;
  /** Fired on every commit this source learns of (its own, and other processes' via NOTIFY). */
  readonly commits: CommitSignal;
  /** Upper bound on how long a commit by another process can go unnoticed if its wake-up is lost. */
  readonly pollIntervalMs: number;
}

/**
 * Catch-up then live, as ONE loop: read a batch after the checkpoint, hand it to
 * the handler, await it, advance; when a read comes back empty the subscription
 * is caught up and sleeps until a commit signal or the poll interval. There is
 * no separate "live" channel whose events could race the catch-up reads: every
 * event reaches the handler through `readAfter`, so each is delivered exactly
 * once and in global order, relying only on the log's prefix-visibility guarantee.
 */
export class CatchUpSubscription<E extends EventShape> implements EventSubscription {
  readonly done: Promise<void>;
  readonly #source: SubscriptionSource<E>;
  readonly #handler: SubscriptionHandler<E>;
  readonly #filter: ReadAllFilter | undefined;
  readonly #batchSize: number;
  readonly #onCaughtUp: ((position: bigint) => void) | undefined;
  readonly #stop = new AbortController();
  readonly #onClosed: (subscription: CatchUpSubscription<E>) => void;
  #position: bigint;
  /**
   * Where the next read starts. Equals `position`, except that a filtered
   * subscription may skip ahead over events that did not match (see #run).
   */
  #scanFrom: bigint;
  /** Position last reported to onCaughtUp, so an idle subscription does not report on every poll. */
  #reportedCaughtUp: bigint | null = null;

  constructor(
    source: SubscriptionSource<E>,
    options: SubscribeOptions & { readonly batchSize: number },
    handler: SubscriptionHandler<E>,
    onClosed: (subscription: CatchUpSubscription<E>) => void,
  ) {
    this.#source = source;
    this.#handler = handler;
    this.#filter = options.filter;
    this.#batchSize = options.batchSize;
    this.#onCaughtUp = options.onCaughtUp;
    this.#onClosed = onClosed;
    this.#position = options.after;
    this.#scanFrom = options.after;
    this.done = this.#run().finally(() => this.#onClosed(this));
    // The caller may only look at `done` after close(); a failure must not crash the process meanwhile.
    this.done.catch(() => {});
  }

  get position(): bigint {
    return this.#position;
  }

  /** Stops after the handler call in progress (if any) returns. Do not await it from inside the handler. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.done.catch(() => {});
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      const generation = this.#source.commits.generation;
      // Read the head BEFORE the filtered read: every position <= head is already
      // final (visible or a permanent gap), so if the filtered read then finds
      // nothing, nothing up to head can ever match and the scan may resume there.
      const head = this.#filter ? await this.#source.headPosition() : null;
      const events = await this.#source.readAfter(this.#scanFrom, this.#batchSize, this.#filter);
      if (stop.aborted) return;
      if (events.length > 0) {
        await this.#handler(events);
        this.#position = events[events.length - 1]!.globalPosition;
        this.#scanFrom = this.#position;
        continue;
      }
      if (head !== null && head > this.#scanFrom) this.#scanFrom = head;
      if (this.#reportedCaughtUp !== this.#position) {
        this.#reportedCaughtUp = this.#position;
        this.#onCaughtUp?.(this.#position);
      }
      await this.#source.commits.wait(generation, this.#source.pollIntervalMs, stop);
    }
  }
}
