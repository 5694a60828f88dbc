import type { Folded } from './stream-fold.ts';

export type AggregateCacheOptions = {
  /**
   * Most streams kept; the least recently used is dropped first. Default
   * 100,000: one entry per active user (a few hundred bytes to a few KB of
   * state each), so a node's registered users stay warm.
   */
  readonly maxEntries?: number;
};

export const DEFAULT_AGGREGATE_CACHE_ENTRIES = 100_000;

/**
 * The fold an entry was made with. Two deciders that share `evolve` (the user
 * decider and the registrar's batch decider) share a state shape, so they may
 * share an entry; a decider with another `evolve` never reads it.
 */
type Fold = object;

interface Entry {
  readonly fold: Fold;
  readonly state: unknown;
  readonly version: number;
}

/**
 * The last known state of recently used aggregates, per stream id, so a
 * command does not re-read and re-fold its whole stream (a popular user's
 * stream holds every REGISTER and every watcher's SUBSCRIBE).
 *
 * It is a hint, never the truth: `handleCommand` decides on the cached state
 * and appends with the cached version as the expected version, so a stream
 * another writer moved on (another node of a pool, the HTTP API without this
 * cache) fails the append with a ConcurrencyError, and only the events after
 * the cached version are read before deciding again. Outcomes that write
 * nothing (a refusal, an empty decision) are checked the same way with one
 * read of what follows the cached version. Entries are written only from
 * states that were folded from the log or committed to it.
 *
 * One instance per node, shared by every command path of the node (registrar,
 * presence, calls, IM, API), so they warm it for each other.
 */
export class AggregateCache {
  readonly #maxEntries: number;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  constructor(options: AggregateCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_AGGREGATE_CACHE_ENTRIES;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    this.#maxEntries = maxEntries;
  }

  /** The state of `streamId` as last folded with `fold`, or undefined (never cached, evicted, or cached by another fold). */
  get<S>(streamId: string, fold: (state: S, event: never) => S): Folded<S> | undefined {
    const entry = this.#entries.get(streamId);
    if (entry === undefined || entry.fold !== fold) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#entries.delete(streamId);
    this.#entries.set(streamId, entry);
    // Same fold function ⇒ the state was produced by it from events of this stream, so it is an S.
    return { state: entry.state as S, version: entry.version };
  }

  /**
   * Keeps `state` as the stream's state at `version`. An older version than the
   * one held (a slower concurrent command finishing late) is ignored.
   */
  remember<S>(streamId: string, fold: (state: S, event: never) => S, folded: Folded<S>): void {
    if (folded.version === null) return;
    const held = this.#entries.get(streamId);
    if (held !== undefined && held.fold === fold && held.version > folded.version) return;
    this.#entries.delete(streamId);
    this.#entries.set(streamId, { fold, state: folded.state, version: folded.version });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** Drops a stream (e.g. after an append whose outcome is unknown). */
  forget(streamId: string): void {
    this.#entries.delete(streamId);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Lookups served from the cache and not, since start: for /metrics and the bench. */
  get stats(): { readonly hits: number; readonly misses: number; readonly entries: number } {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size };
  }
}
