import { createHash } from 'node:crypto';

/**
 * A test-side digest client, written from RFC 7616 §3.4 without the server's
 * code, so server tests check the server against an independent computation.
 */
export type ChallengeParams = {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string | undefined;
  readonly algorithm: string;
  readonly stale: boolean;
  readonly qop?: string | undefined;
};

/** Parses one WWW-Authenticate / Proxy-Authenticate value the simple way a softphone does. */
export function readChallenge(value: string): ChallengeParams {
  if (!/^Digest\s/i.test(value)) throw new Error(`not a Digest challenge: ${value}`);
  const params = new Map<string, string>();
  for (const m of value.slice(7).matchAll(/([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) {
    params.set((m[1] ?? '').toLowerCase(), m[2] ?? m[3] ?? '');
  }
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) throw new Error(`challenge without realm/nonce: ${value}`);
  return {
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm: params.get('algorithm') ?? 'MD5',
    stale: params.get('stale')?.toLowerCase() === 'true',
    qop: params.get('qop'),
  };
}

export type AnswerOptions = {
  readonly challenge: ChallengeParams;
  readonly method: string;
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  readonly cnonce?: string;
  readonly nc?: string;
  /** Default true when the challenge offered qop=auth. */
  readonly useQop?: boolean;
  /** Override the realm written in the credentials (tests for a wrong realm). */
  readonly realm?: string;
  readonly omitOpaque?: boolean;
};

/** The Authorization header value answering a challenge. */
export function answerChallenge(o: AnswerOptions): string {
  const c = o.challenge;
  const hash = c.algorithm.toUpperCase().startsWith('SHA-256') ? 'sha256' : 'md5';
  const H = (s: string): string => createHash(hash).update(s).digest('hex');
  const realm = o.realm ?? c.realm;
  const cnonce = o.cnonce ?? '0a4f113b';
  const nc = o.nc ?? '00000001';
  const useQop = o.useQop ?? c.qop !== undefined;
  const ha1 = H(`${o.username}:${realm}:${o.password}`);
  const ha2 = H(`${o.method}:${o.uri}`);
  const response = useQop ? H(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`) : H(`${ha1}:${c.nonce}:${ha2}`);
  const parts = [
    `username="${o.username}"`,
    `realm="${realm}"`,
    `nonce="${c.nonce}"`,
    `uri="${o.uri}"`,
    `response="${response}"`,
    `algorithm=${c.algorithm}`,
  ];
  if (useQop) parts.push(`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (c.opaque !== undefined && o.omitOpaque !== true) parts.push(`opaque="${c.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
