import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { EventShape, RecordedEvent } from '../../envelope.ts';
import type { EventSubscription, ReadAllFilter, SubscriptionHandler } from '../../event-store.ts';

/** One page of the catch-up scan over $all. */
export interface ScanPage<E extends EventShape> {
  readonly events: readonly RecordedEvent<E>[];
  /** Position of the last $all record looked at, admitted or not: where the next page starts. */
  readonly scannedTo: bigint;
  /** True when the scan reached the end of $all. */
  readonly exhausted: boolean;
}

/** What the subscription needs from the store; keeps the gRPC client out of this class. */
export interface SubscriptionSource<E extends EventShape> {
  scan(after: bigint, limit: number, filter: ReadAllFilter | undefined): Promise<ScanPage<E>>;
  /** A live, server-filtered subscription to $all from just after `after`. */
  follow(after: bigint, filter: ReadAllFilter | undefined): AllStreamSubscription;
  /** The event if it belongs to this store, passes the filter and lies beyond `after`; else null. */
  admit(resolved: AllStreamResolvedEvent, after: bigint, filter: ReadAllFilter | undefined): RecordedEvent<E> | null;
}

export interface SubscriptionSettings {
  readonly after: bigint;
  readonly filter?: ReadAllFilter;
  readonly batchSize: number;
  readonly onCaughtUp?: (position: bigint) => void;
}

/**
 * Catch-up, then live:
 *
 * 1. Catch-up pages through $all with `readAll` (the store's scan) and hands
 *    each page to the handler, awaiting it. When a page reaches the end of $all
 *    `onCaughtUp` fires. This does not depend on the server sending the
 *    `caughtUp` message, which only recent servers do.
 * 2. Live opens `subscribeToAll` from the last $all record the scan looked at,
 *    with a server-side filter. Events are read through the async iterator, so
 *    the client stops pulling while the handler runs (Node stream backpressure);
 *    whatever is already buffered joins the next batch. After a batch, if nothing
 *    more is buffered, the subscription is at the head again and `onCaughtUp` fires.
 *
 * Every event is checked against the last delivered position, so an inclusive
 * start or a re-sent event is never delivered twice.
 */
export class EventStoreDbSubscription<E extends EventShape> implements EventSubscription {
  readonly done: Promise<void>;
  readonly #source: SubscriptionSource<E>;
  readonly #settings: SubscriptionSettings;
  readonly #handler: SubscriptionHandler<E>;
  #position: bigint;
  #closed = false;
  #closing: Promise<void> | null = null;
  #inHandler = false;
  #live: AllStreamSubscription | null = null;

  constructor(
    source: SubscriptionSource<E>,
    settings: SubscriptionSettings,
    handler: SubscriptionHandler<E>,
    onStopped: (subscription: EventStoreDbSubscription<E>) => void,
  ) {
    this.#source = source;
    this.#settings = settings;
    this.#handler = handler;
    this.#position = settings.after;
    this.done = this.#run().finally(() => onStopped(this));
    // Callers may never look at `done`; a failure must not become an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get position(): bigint {
    return this.#position;
  }

  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    this.#closed = true;
    const live = this.#live;
    if (live) {
      await live.unsubscribe().catch(() => undefined);
      live.destroy();
    }
    // A handler that closes its own subscription must not wait for itself.
    if (!this.#inHandler) await this.done.catch(() => undefined);
  }

  async #run(): Promise<void> {
    try {
      const scannedTo = await this.#catchUp();
      if (scannedTo !== null) await this.#followLive(scannedTo);
    } catch (error) {
      if (!this.#closed) throw error;
    } finally {
      this.#closed = true;
      const live = this.#live;
      if (live) {
        await live.unsubscribe().catch(() => undefined);
        live.destroy();
      }
    }
  }

  /** Returns where the live phase starts, or null when closed meanwhile. */
  async #catchUp(): Promise<bigint | null> {
    const { batchSize, filter, onCaughtUp } = this.#settings;
    let scannedTo = this.#position;
    for (;;) {
      if (this.#closed) return null;
      const page = await this.#source.scan(scannedTo, batchSize, filter);
      scannedTo = page.scannedTo;
      if (page.events.length > 0) await this.#deliver(page.events);
      if (this.#closed) return null;
      if (page.exhausted) {
        onCaughtUp?.(this.#position);
        return scannedTo;
      }
    }
  }

  async #followLive(from: bigint): Promise<void> {
    const { batchSize, filter, onCaughtUp } = this.#settings;
    const live = this.#source.follow(from, filter);
    this.#live = live;
    // close() may have run while we were creating the subscription.
    if (this.#closed) return;
    let batch: RecordedEvent<E>[] = [];
    for await (const resolved of live as AsyncIterable<AllStreamResolvedEvent>) {
      if (this.#closed) return;
      const event = this.#source.admit(resolved, batch.at(-1)?.globalPosition ?? this.#position, filter);
      if (event) batch.push(event);
      const drained = live.readableLength === 0;
      if (batch.length >= batchSize || (drained && batch.length > 0)) {
        await this.#deliver(batch);
        batch = [];
        if (this.#closed) return;
        if (live.readableLength === 0) onCaughtUp?.(this.#position);
      }
    }
    if (!this.#closed) throw new Error('EventStoreDB ended the $all subscription');
  }

  async #deliver(events: readonly RecordedEvent<E>[]): Promise<void> {
    this.#inHandler = true;
    try {
      await this.#handler(events);
    } finally {
      this.#inHandler = false;
    }
    this.#position = events.at(-1)!.globalPosition;
  }
}
