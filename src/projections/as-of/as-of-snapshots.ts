import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { AS_OF_CATEGORIES, AS_OF_FOLD_FORMAT, AsOfFold } from './as-of-fold.ts';
import { AsOfSnapshotTable } from './as-of-snapshot-table.ts';

export interface AsOfSnapshotsOptions {
  readonly store: EventStore<DomainEvent>;
  /** Read-model database holding the `as_of_snapshots` table (created on first use). */
  readonly client: SqlClient;
  /**
   * A snapshot every this many events of the as-of categories (user, call,
   * voiceconfig). A query reads about one interval of events after its
   * snapshot. Default 100: reading an event back costs ~0.1 ms (decode and
   * validation) while a snapshot holds every user's view state (a few kB for
   * a handful of users; raise the interval for a large directory).
   */
  readonly interval?: number;
  /** Events per read. Default 2,000. */
  readonly pageSize?: number;
  /** Called during a catch-up after each page: how far snapshotting is, against the log's head. */
  readonly onProgress?: (position: bigint, head: bigint) => void;
  readonly logger?: Logger;
}

/**
 * Periodic snapshots of the as-of fold, and as-of folds that start from them.
 *
 * Snapshots are written lazily: `catchUp` (run before every query, and by
 * anyone who wants them ahead of time) folds the log from the newest
 * snapshot to the head and stores one every `interval` events. They are a
 * pure function of the log (the cadence counts events, never time), so two
 * processes write identical rows and the second insert is skipped.
 *
 * A query at instant T needs the events recorded at or before T, in log
 * order. recordedAt is not monotonic in position (it is each transaction's
 * start), so each snapshot records the highest recordedAt it contains and the
 * lowest of its interval: the query starts from the newest snapshot wholly
 * ≤ T, reads only the intervals that hold an event ≤ T, then the tail after
 * the newest snapshot (skipped when this process's catch-up saw all of it
 * recorded after T), filtering each event on recordedAt exactly as a full
 * scan does — the answers are identical, which the tests check.
 */
export class AsOfSnapshots {
  readonly #store: EventStore<DomainEvent>;
  readonly #table: AsOfSnapshotTable;
  readonly #interval: number;
  readonly #pageSize: number;
  readonly #onProgress: ((position: bigint, head: bigint) => void) | undefined;
  readonly #log: Logger;
  /** This process's running fold at the snapshot cursor, so a catch-up reads only what is new. */
  #cursor: {
    fold: AsOfFold;
    events: bigint;
    maxMs: number;
    /** Lowest recordedAt of the events folded since the last snapshot (the tail). */
    minMs: number;
    /** Position of the last snapshot the cursor passed (written or found), 0n before the first. */
    snapshotted: bigint;
    /** The log's head when the cursor last read to the end: an unchanged head means nothing new to fold. */
    scannedTo: bigint;
  } | null = null;
  #catchingUp: Promise<void> | null = null;

  constructor(options: AsOfSnapshotsOptions) {
    this.#store = options.store;
    this.#table = new AsOfSnapshotTable(options.client, AS_OF_FOLD_FORMAT);
    this.#interval = options.interval ?? 100;
    this.#pageSize = options.pageSize ?? 2_000;
    if (!Number.isInteger(this.#interval) || this.#interval < 1) throw new RangeError(`interval must be a positive integer, got ${this.#interval}`);
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1 || this.#pageSize > 10_000)
      throw new RangeError(`pageSize must be an integer in 1..10000, got ${this.#pageSize}`);
    this.#onProgress = options.onProgress;
    this.#log = options.logger ?? moduleLogger('as-of-snapshots');
  }

  /** Snapshots stored (of the current fold format). */
  count(): Promise<number> {
    return this.#table.count();
  }

  /**
   * Keeps snapshots near the head in the background, so the first query after
   * a busy spell does not fold thousands of events: a catch-up now, then every
   * `everyMs` (default 10 s). Failures are logged and retried at the next
   * tick. Returns the stop function (idempotent; waits for a running pass).
   */
  startBackground(everyMs = 10_000): () => Promise<void> {
    const tick = (): void => {
      this.catchUp().catch((error: unknown) => this.#log.warn({ err: error }, 'as-of snapshot catch-up failed; retrying at the next tick'));
    };
    tick();
    const timer = setInterval(tick, everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.#catchingUp?.catch(() => {});
    };
  }

  /** Writes every snapshot due up to the log's head. Concurrent calls share one pass. */
  catchUp(): Promise<void> {
    this.#catchingUp ??= this.#runCatchUp()
      .catch((error: unknown) => {
        // The running fold may be ahead of the last snapshot written: start again from the table.
        this.#cursor = null;
        throw error;
      })
      .finally(() => (this.#catchingUp = null));
    return this.#catchingUp;
  }

  async #runCatchUp(): Promise<void> {
    if (this.#cursor === null) {
      const newest = await this.#table.newest();
      const fold = newest ? AsOfFold.restore(newest.state) : AsOfFold.empty();
      if (newest && fold === null) throw new Error('as-of snapshot of the current format could not be read');
      this.#cursor = {
        fold: fold ?? AsOfFold.empty(),
        events: newest?.events ?? 0n,
        maxMs: newest?.maxRecordedMs ?? Number.NEGATIVE_INFINITY,
        minMs: Number.POSITIVE_INFINITY,
        snapshotted: newest?.position ?? 0n,
        scannedTo: -1n,
      };
    }
    const cursor = this.#cursor;
    const head = await this.#store.headPosition();
    if (head === cursor.scannedTo) return;
    let written = 0;
    for (;;) {
      const page = await this.#store.readAll({ after: cursor.fold.position, limit: this.#pageSize, filter: { categories: AS_OF_CATEGORIES } });
      for (const event of page) {
        const ms = Date.parse(event.metadata.recordedAt);
        cursor.fold.apply(event);
        cursor.events++;
        if (ms > cursor.maxMs) cursor.maxMs = ms;
        if (ms < cursor.minMs) cursor.minMs = ms;
        if (cursor.events % BigInt(this.#interval) === 0n) {
          await this.#table.insert({
            position: event.globalPosition,
            events: cursor.events,
            maxRecordedMs: cursor.maxMs,
            intervalMinRecordedMs: cursor.minMs,
            state: cursor.fold.serialize(),
          });
          cursor.minMs = Number.POSITIVE_INFINITY;
          cursor.snapshotted = event.globalPosition;
          written++;
        }
      }
      this.#onProgress?.(cursor.fold.position > head ? cursor.fold.position : head === 0n ? 0n : cursor.fold.position, head);
      if (page.length < this.#pageSize) break;
    }
    cursor.scannedTo = head;
    if (written > 0) this.#log.debug({ written, position: String(cursor.fold.position) }, 'as-of snapshots written');
  }

  /**
   * The fold of every as-of event recorded at or before `at`, in log order:
   * equal to `foldWithoutSnapshots(store, at)`, but reading at most the
   * intervals around `at` and the tail after the newest snapshot.
   */
  async foldAt(at: string): Promise<AsOfFold> {
    const cutoff = Date.parse(at);
    await this.catchUp();
    // Everything this process has folded was recorded by `at` (a query about now): the running fold is the answer.
    const running = this.#cursor;
    if (running !== null && running.maxMs <= cutoff) {
      const copy = AsOfFold.restore(running.fold.serialize());
      if (copy !== null) return copy;
    }
    const plan = await this.#table.plan(cutoff);
    const restored = plan.base ? AsOfFold.restore(plan.base.state) : AsOfFold.empty();
    if (restored === null) throw new Error('as-of snapshot of the current format could not be read');
    const fold = restored;
    const from = plan.base?.position ?? 0n;
    const apply = (event: RecordedEvent<DomainEvent>): void => {
      if (Date.parse(event.metadata.recordedAt) <= cutoff) fold.apply(event);
    };
    if (plan.lastRelevantEnd > from) await this.#scan(from, plan.lastRelevantEnd, apply);
    // The catch-up just folded the tail after the newest snapshot: when all of it was recorded after `at`, nothing there counts.
    const tail = this.#cursor;
    const tailIsLater = tail !== null && tail.fold.position > 0n && plan.newest > 0n && tail.minMs > cutoff && tail.snapshotted === plan.newest;
    if (!tailIsLater) await this.#scan(plan.newest > from ? plan.newest : from, null, apply);
    return fold;
  }

  /** Applies the as-of events in (after, until] (until null: to the head). */
  async #scan(after: bigint, until: bigint | null, apply: (event: RecordedEvent<DomainEvent>) => void): Promise<void> {
    let cursor = after;
    for (;;) {
      // Positions are gap-free, so (cursor, until] holds at most until - cursor events: never read past it.
      const limit = until === null ? this.#pageSize : Math.min(this.#pageSize, Number(until - cursor));
      if (limit <= 0) return;
      const page = await this.#store.readAll({ after: cursor, limit, filter: { categories: AS_OF_CATEGORIES } });
      for (const event of page) {
        if (until !== null && event.globalPosition > until) return;
        apply(event);
        cursor = event.globalPosition;
      }
      if (page.length < limit) return;
    }
  }
}

/** The reference fold: every as-of event from the start of the log, those recorded after `at` skipped. */
export async function foldWithoutSnapshots(
  store: EventStore<DomainEvent>,
  at: string,
  options: { readonly pageSize?: number; readonly onProgress?: (position: bigint, head: bigint) => void } = {},
): Promise<AsOfFold> {
  const cutoff = Date.parse(at);
  const pageSize = options.pageSize ?? 5_000;
  const fold = AsOfFold.empty();
  const head = await store.headPosition();
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize, filter: { categories: AS_OF_CATEGORIES } });
    for (const event of page) {
      after = event.globalPosition;
      // recordedAt comes from each transaction's start, so it is not strictly
      // monotonic in position: filter every event rather than stop at the first later one.
      if (Date.parse(event.metadata.recordedAt) <= cutoff) fold.apply(event);
    }
    options.onProgress?.(after > head ? after : head === 0n ? 0n : after, head);
    if (page.length < pageSize || after >= head) break;
  }
  return fold;
}
