import { createHash } from 'node:crypto';

/** The digest algorithms Chorus verifies (RFC 8760 §2: SHA-256 preferred, MD5 for older clients). */
export type SupportedAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

const HASH: Readonly<Record<SupportedAlgorithm, 'md5' | 'sha256'>> = {
  MD5: 'md5',
  'MD5-sess': 'md5',
  'SHA-256': 'sha256',
  'SHA-256-sess': 'sha256',
};

export function isSupportedAlgorithm(name: string): name is SupportedAlgorithm {
  return Object.hasOwn(HASH, name);
}

/** Which stored HA1 an algorithm needs. */
export function hashOf(algorithm: SupportedAlgorithm): 'md5' | 'sha256' {
  return HASH[algorithm];
}

function h(hash: 'md5' | 'sha256', data: string | Buffer): string {
  return createHash(hash).update(data).digest('hex');
}

/** HA1 from the password: H(username:realm:password). Tests and provisioning use it; the server only holds HA1s. */
export function computeDigestHa1(algorithm: SupportedAlgorithm, username: string, realm: string, password: string): string {
  return h(HASH[algorithm], `${username}:${realm}:${password}`);
}

export type DigestInput = {
  readonly algorithm: SupportedAlgorithm;
  /** H(username:realm:password), as stored. */
  readonly ha1: string;
  readonly method: string;
  /** The digest-uri exactly as the client wrote it in its credentials. */
  readonly uri: string;
  readonly nonce: string;
  /** Absent for the RFC 2069 form (no qop), which RFC 3261 §22.4 keeps for old clients. */
  readonly qop?: 'auth' | 'auth-int' | undefined;
  readonly nc?: string | undefined;
  readonly cnonce?: string | undefined;
  /** The message body; only auth-int hashes it. */
  readonly body?: Buffer | undefined;
};

/**
 * The request-digest of RFC 7616 §3.4.1 (RFC 2617 §3.2.2.1 for MD5):
 * KD(HA1, nonce:nc:cnonce:qop:HA2) with qop, KD(HA1, nonce:HA2) without;
 * for the -sess variants HA1 becomes H(HA1:nonce:cnonce) (§3.4.2).
 */
export function digestResponse(input: DigestInput): string {
  const hash = HASH[input.algorithm];
  const sess = input.algorithm.endsWith('-sess');
  const cnonce = input.cnonce ?? '';
  const ha1 = sess ? h(hash, `${input.ha1}:${input.nonce}:${cnonce}`) : input.ha1;
  const a2 = input.qop === 'auth-int' ? `${input.method}:${input.uri}:${h(hash, input.body ?? Buffer.alloc(0))}` : `${input.method}:${input.uri}`;
  const ha2 = h(hash, a2);
  if (input.qop === undefined) return h(hash, `${ha1}:${input.nonce}:${ha2}`);
  return h(hash, `${ha1}:${input.nonce}:${input.nc ?? ''}:${cnonce}:${input.qop}:${ha2}`);
}
