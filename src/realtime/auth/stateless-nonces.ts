import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a nonce says about itself when it comes back. */
export type NonceCheck = 'fresh' | 'stale' | 'invalid';

/** Issues and checks digest nonces and the opaque value; an interface so tests can pin RFC vectors. */
export interface NonceIssuer {
  issue(realm: string): string;
  check(nonce: string, realm: string): NonceCheck;
  /** The opaque a challenge for this realm carries; credentials that return one must return this. */
  opaque(realm: string): string;
}

export type StatelessNoncesOptions = {
  /**
   * HMAC key. Default: 32 random bytes per process, so nonces die with the
   * process (a client then simply gets a new challenge). Give every node of a
   * pool the same secret so a nonce from one node is good on the others.
   */
  readonly secret?: Buffer;
  /** How long a nonce is fresh. Default 300 s; after that a correct response gets `stale=true`. */
  readonly ttlSeconds?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
};

const TIMESTAMP_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TIMESTAMP_BYTES + RANDOM_BYTES + MAC_BYTES;
/** A nonce stamped this far in the future is forged or from a node with a bad clock. */
const MAX_FUTURE_SKEW_MS = 5_000;

/**
 * Nonces that need no server state (RFC 7616 §5.4 suggests time-stamped,
 * server-keyed nonces): base64url(timestamp ‖ random ‖ HMAC-SHA-256(secret,
 * realm ‖ timestamp ‖ random) truncated to 128 bits). A nonce is bound to its
 * realm, cannot be forged without the secret, and its age is read off it.
 *
 * Without state, a captured response can be replayed while its nonce is fresh
 * (nonce-counts are not tracked). For REGISTER that re-asserts the very binding
 * the victim asked for, until the nonce goes stale; a shorter `ttlSeconds`
 * narrows the window.
 */
export class StatelessNonces implements NonceIssuer {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: StatelessNoncesOptions = {}) {
    const ttl = options.ttlSeconds ?? 300;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new RangeError(`nonce ttlSeconds must be positive, got ${ttl}`);
    if (options.secret !== undefined && options.secret.length < 16) throw new RangeError('nonce secret must have at least 16 bytes');
    this.#secret = options.secret ?? randomBytes(32);
    this.#ttlMs = ttl * 1000;
    this.#now = options.now ?? Date.now;
  }

  issue(realm: string): string {
    const body = Buffer.alloc(TIMESTAMP_BYTES + RANDOM_BYTES);
    body.writeBigUInt64BE(BigInt(Math.floor(this.#now())), 0);
    randomBytes(RANDOM_BYTES).copy(body, TIMESTAMP_BYTES);
    return Buffer.concat([body, this.#mac(realm, body)]).toString('base64url');
  }

  check(nonce: string, realm: string): NonceCheck {
    if (nonce.length > 64 || !/^[A-Za-z0-9_-]+$/.test(nonce)) return 'invalid';
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return 'invalid';
    const body = raw.subarray(0, TIMESTAMP_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(raw.subarray(TIMESTAMP_BYTES + RANDOM_BYTES), this.#mac(realm, body))) return 'invalid';
    const issuedAt = Number(body.readBigUInt64BE(0));
    const now = this.#now();
    if (issuedAt > now + MAX_FUTURE_SKEW_MS) return 'invalid';
    return now - issuedAt > this.#ttlMs ? 'stale' : 'fresh';
  }

  opaque(realm: string): string {
    return createHmac('sha256', this.#secret).update(`opaque\0${realm}`).digest('hex').slice(0, 32);
  }

  #mac(realm: string, body: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(realm).update('\0').update(body).digest().subarray(0, MAC_BYTES);
  }
}
