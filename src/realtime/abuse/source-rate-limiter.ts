/** The answer for one request: let it through, or refuse it and say when to come back. */
export type RateDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** Whole seconds until one token is back: the Retry-After value. */
      readonly retryAfterSeconds: number;
      /** True for the first refusal since the source was last allowed: worth telling a well-behaved client. */
      readonly firstRefusal: boolean;
    };

export type SourceRateLimiterOptions = {
  /** Sustained requests per second per source. Default 20. */
  readonly ratePerSecond?: number;
  /** Bucket size: requests a source may send at once after being quiet. Default 60. */
  readonly burst?: number;
  /** Sources tracked at most; beyond that the least recently seen are forgotten (a full bucket again). Default 100 000. */
  readonly maxSources?: number;
  /** Never limited (trusted gateways, the pool's own nodes). Default none. */
  readonly exempt?: readonly string[];
  /** Milliseconds, monotonic enough. Default performance.now. */
  readonly now?: () => number;
};

type Bucket = { tokens: number; updatedAt: number; refusing: boolean };

/**
 * A token bucket per source IP address. Defaults suit a registrar edge: a
 * softphone's REGISTER costs two requests (challenge, answer) and a NAT'd
 * office of dozens of phones shares one address, so 20/s sustained with a
 * burst of 60 is far above any honest source and far below a flood.
 */
export class SourceRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxSources: number;
  readonly #exempt: ReadonlySet<string>;
  readonly #now: () => number;
  /** Map order is recency order: a touched bucket is re-inserted at the end. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: SourceRateLimiterOptions = {}) {
    this.#rate = options.ratePerSecond ?? 20;
    this.#burst = options.burst ?? 60;
    this.#maxSources = options.maxSources ?? 100_000;
    if (!(this.#rate > 0) || !Number.isFinite(this.#rate)) throw new RangeError(`ratePerSecond must be positive, got ${this.#rate}`);
    if (!Number.isInteger(this.#burst) || this.#burst < 1) throw new RangeError(`burst must be a positive integer, got ${this.#burst}`);
    if (!Number.isInteger(this.#maxSources) || this.#maxSources < 1) throw new RangeError(`maxSources must be a positive integer, got ${this.#maxSources}`);
    this.#exempt = new Set((options.exempt ?? []).map(normalise));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Sources currently tracked. */
  get trackedSources(): number {
    return this.#buckets.size;
  }

  /** Takes one token for `address`, if there is one. */
  take(address: string): RateDecision {
    const key = normalise(address);
    if (this.#exempt.has(key)) return { allowed: true };
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, updatedAt: now, refusing: false };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.#rate);
    bucket.updatedAt = now;
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    this.#evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return { allowed: true };
    }
    const firstRefusal = !bucket.refusing;
    bucket.refusing = true;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate)), firstRefusal };
  }

  #evict(): void {
    while (this.#buckets.size > this.#maxSources) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done === true) return;
      this.#buckets.delete(oldest.value);
    }
  }
}

/** "::ffff:192.0.2.1" is the IPv4 source 192.0.2.1; IPv6 is case-insensitive. */
function normalise(address: string): string {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return a.toLowerCase();
}
