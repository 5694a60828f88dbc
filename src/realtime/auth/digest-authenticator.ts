import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../logging/logger.ts';
import { formatChallenge, parseCredentials, type DigestCredentials } from '../sip/auth-header.ts';
import type { Headers, HeaderInit } from '../sip/message.ts';
import type { CredentialStore } from './credential-store.ts';
import { digestResponse, hashOf, isSupportedAlgorithm, type SupportedAlgorithm } from './digest-response.ts';
import type { NonceIssuer } from './stateless-nonces.ts';

/**
 * `www`: a registrar or UAS — 401 with WWW-Authenticate, credentials in
 * Authorization. `proxy`: a proxy — 407 with Proxy-Authenticate, credentials in
 * Proxy-Authorization (RFC 3261 §22.2, §22.3).
 */
export type AuthRole = 'www' | 'proxy';

/** The request being authenticated: only what the digest covers. */
export type AuthRequest = {
  readonly method: string;
  readonly headers: Headers;
  readonly body: Buffer;
};

/** Who the request claims to act for: the AOR and the digest username that must authenticate for it. */
export type AuthIdentity = {
  /** `sip:alice@example.test`, the key of the credential store. */
  readonly aor: string;
  /** The user part of the AOR: the only username allowed to act for it. */
  readonly username: string;
};

/** Why a challenge was sent; for logs and metrics, never put on the wire. */
export type ChallengeReason =
  | 'no-credentials'
  | 'other-realm'
  | 'unknown-user'
  | 'unsupported-algorithm'
  | 'unsupported-qop'
  | 'bad-nonce'
  | 'bad-opaque'
  | 'wrong-response'
  | 'stale-nonce';

export type AuthOutcome =
  | { readonly kind: 'authorized'; readonly username: string; readonly realm: string; readonly algorithm: SupportedAlgorithm }
  /** Send `status` with `headers` (one challenge per algorithm, SHA-256 first). */
  | { readonly kind: 'challenge'; readonly status: 401 | 407; readonly headers: readonly HeaderInit[]; readonly reason: ChallengeReason }
  /** Authenticated identity may not act for this AOR (RFC 3261 §10.3 step 4): 403. */
  | { readonly kind: 'forbidden'; readonly reason: string }
  /** The credentials header does not parse: 400. */
  | { readonly kind: 'malformed'; readonly reason: string };

export type DigestAuthenticatorOptions = {
  readonly credentials: CredentialStore;
  readonly nonces: NonceIssuer;
  /** Realm challenged for AORs with no credentials, so unknown users look like known ones. Usually the SIP domain. */
  readonly defaultRealm: string;
  /** Challenge algorithms, in order of preference. Default ['SHA-256', 'MD5'] (RFC 8760 §2.4: strongest first). */
  readonly algorithms?: readonly SupportedAlgorithm[];
  readonly logger?: Logger;
};

const CHALLENGE_HEADER: Readonly<Record<AuthRole, string>> = { www: 'WWW-Authenticate', proxy: 'Proxy-Authenticate' };
const CREDENTIALS_HEADER: Readonly<Record<AuthRole, string>> = { www: 'Authorization', proxy: 'Proxy-Authorization' };
const CHALLENGE_STATUS: Readonly<Record<AuthRole, 401 | 407>> = { www: 401, proxy: 407 };

/**
 * SIP digest authentication (RFC 3261 §22, RFC 7616 as adopted by RFC 8760)
 * against stored HA1s, with stateless nonces.
 *
 * Deliberate choices:
 * - The digest is checked over the `uri` the client put in its credentials, not
 *   the Request-URI: SIPp 3.6 writes the remote address there, and Kamailio and
 *   Asterisk accept it too. The response still covers method, nonce and HA1.
 * - A wrong password, an unknown user and a bad nonce all get a fresh challenge
 *   (RFC 3261 §22.2: "SHOULD challenge" again), never 403/404, so the answers
 *   do not tell which users exist.
 * - `stale=true` only when the response is right but the nonce expired (RFC
 *   7616 §3.3), so the client retries without asking the user.
 * - The RFC 2069 form without qop is accepted (RFC 3261 §22.4 keeps it); `opaque`
 *   is checked when returned and tolerated when omitted, as several SIP stacks
 *   drop it.
 */
export class DigestAuthenticator {
  readonly #credentials: CredentialStore;
  readonly #nonces: NonceIssuer;
  readonly #defaultRealm: string;
  readonly #algorithms: readonly SupportedAlgorithm[];
  readonly #log: Logger;

  constructor(options: DigestAuthenticatorOptions) {
    this.#credentials = options.credentials;
    this.#nonces = options.nonces;
    this.#defaultRealm = options.defaultRealm;
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    if (this.#algorithms.length === 0) throw new RangeError('at least one digest algorithm must be offered');
    this.#log = options.logger ?? moduleLogger('sip-auth');
  }

  /** A challenge for `realm` (one header per algorithm). */
  challenge(role: AuthRole, realm: string, stale: boolean, reason: ChallengeReason): AuthOutcome & { kind: 'challenge' } {
    const nonce = this.#nonces.issue(realm);
    const opaque = this.#nonces.opaque(realm);
    const headers: HeaderInit[] = this.#algorithms.map((algorithm) => [
      CHALLENGE_HEADER[role],
      formatChallenge({
        scheme: 'Digest',
        realm,
        nonce,
        opaque,
        algorithm,
        qop: ['auth'],
        ...(stale ? { stale: true } : {}),
        extra: [],
      }),
    ]);
    return { kind: 'challenge', status: CHALLENGE_STATUS[role], headers, reason };
  }

  authenticate(request: AuthRequest, identity: AuthIdentity, role: AuthRole): AuthOutcome {
    const stored = this.#credentials.credentials(identity.aor);
    const realm = stored?.realm ?? this.#defaultRealm;
    const offered: DigestCredentials[] = [];
    for (const line of request.headers.getAll(CREDENTIALS_HEADER[role])) {
      const parsed = parseCredentials(line);
      if (!parsed.ok) return { kind: 'malformed', reason: `Malformed ${CREDENTIALS_HEADER[role]} Header` };
      if (parsed.value.scheme === 'Digest') offered.push(parsed.value);
    }
    if (offered.length === 0) return this.challenge(role, realm, false, 'no-credentials');
    // RFC 3261 §22.3: a request may carry credentials for several realms; ours is the one that counts.
    const credentials = offered.find((c) => c.realm === realm);
    if (!credentials) return this.#fail(role, realm, 'other-realm', identity);
    if (credentials.username !== identity.username) {
      return { kind: 'forbidden', reason: `username ${credentials.username} may not act for ${identity.aor}` };
    }
    if (!stored) return this.#fail(role, realm, 'unknown-user', identity);
    const algorithm = credentials.algorithm ?? 'MD5';
    if (!isSupportedAlgorithm(algorithm) || credentials.userhash === true) return this.#fail(role, realm, 'unsupported-algorithm', identity);
    const qop = credentials.qop?.toLowerCase();
    if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int') return this.#fail(role, realm, 'unsupported-qop', identity);
    if (credentials.opaque !== undefined && credentials.opaque !== this.#nonces.opaque(realm)) {
      return this.#fail(role, realm, 'bad-opaque', identity);
    }
    const nonceState = this.#nonces.check(credentials.nonce, realm);
    if (nonceState === 'invalid') return this.#fail(role, realm, 'bad-nonce', identity);

    const expected = digestResponse({
      algorithm,
      ha1: hashOf(algorithm) === 'md5' ? stored.ha1Md5 : stored.ha1Sha256,
      method: request.method,
      uri: credentials.uri,
      nonce: credentials.nonce,
      qop,
      nc: credentials.nc,
      cnonce: credentials.cnonce,
      body: request.body,
    });
    if (!sameHex(expected, credentials.response)) return this.#fail(role, realm, 'wrong-response', identity);
    if (nonceState === 'stale') return this.challenge(role, realm, true, 'stale-nonce');
    return { kind: 'authorized', username: credentials.username, realm, algorithm };
  }

  #fail(role: AuthRole, realm: string, reason: ChallengeReason, identity: AuthIdentity): AuthOutcome {
    this.#log.debug({ aor: identity.aor, reason }, 'digest authentication failed');
    return this.challenge(role, realm, false, reason);
  }
}

/** Constant-time comparison of two hex digests (case-insensitive, as RFC 7616 hex is). */
function sameHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(received.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
