import { isToken, quote, readQuoted, skipWs } from './grammar.ts';
import { err, ok, type Result } from './result.ts';

/**
 * WWW-Authenticate / Proxy-Authenticate and Authorization / Proxy-Authorization
 * (RFC 3261 §22, §25.1; HTTP Digest per RFC 7616 as adopted for SIP by RFC 8760:
 * SHA-256 and SHA-512-256 next to MD5, the "-sess" variants, userhash).
 * Unknown schemes (RFC 4475 §3.3.7) parse to `other` so the registrar can answer
 * 401 with a Digest challenge instead of a 400.
 */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'];

export type DigestChallenge = {
  readonly scheme: 'Digest';
  readonly realm: string;
  readonly nonce: string;
  readonly domain?: string;
  readonly opaque?: string;
  readonly stale?: boolean;
  /** Absent means MD5 (RFC 3261). Unknown algorithms are kept as written so a client can skip the challenge. */
  readonly algorithm?: DigestAlgorithm | string;
  /** qop-options, e.g. ["auth", "auth-int"]. */
  readonly qop?: readonly string[];
  readonly userhash?: boolean;
  /** auth-params this layer does not interpret, kept for forwarding. */
  readonly extra: ReadonlyArray<readonly [string, string]>;
};

export type DigestCredentials = {
  readonly scheme: 'Digest';
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm?: DigestAlgorithm | string;
  readonly cnonce?: string;
  readonly opaque?: string;
  /** message-qop: a single token (auth / auth-int). */
  readonly qop?: string;
  /** nonce-count, 8 hex digits. */
  readonly nc?: string;
  readonly userhash?: boolean;
  readonly extra: ReadonlyArray<readonly [string, string]>;
};

export type OtherAuth = { readonly scheme: 'other'; readonly name: string; readonly raw: string };

export type Challenge = DigestChallenge | OtherAuth;
export type Credentials = DigestCredentials | OtherAuth;

export function isKnownAlgorithm(a: string): a is DigestAlgorithm {
  return ALGORITHMS.some((k) => k.toLowerCase() === a.toLowerCase());
}

/** auth-param list: name = ( token / quoted-string ) separated by commas; names lower-cased. */
function parseAuthParams(s: string): Map<string, string> | string {
  const out = new Map<string, string>();
  let i = skipWs(s, 0);
  while (i < s.length) {
    const nameStart = i;
    while (i < s.length && s[i] !== '=' && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
    const name = s.slice(nameStart, i);
    if (!isToken(name)) return `malformed auth-param name ${JSON.stringify(name)}`;
    i = skipWs(s, i);
    if (s[i] !== '=') return `auth-param ${name} has no value`;
    i = skipWs(s, i + 1);
    let value: string;
    if (s[i] === '"') {
      const q = readQuoted(s, i);
      if (!q) return `unterminated quoted value for ${name}`;
      value = q.value;
      i = q.end;
    } else {
      const valueStart = i;
      while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
      value = s.slice(valueStart, i);
      if (!isToken(value)) return `malformed value for ${name}`;
    }
    const key = name.toLowerCase();
    if (out.has(key)) return `duplicate auth-param ${name}`;
    out.set(key, value);
    i = skipWs(s, i);
    if (i < s.length) {
      if (s[i] !== ',') return `expected "," after ${name}`;
      i = skipWs(s, i + 1);
    }
  }
  return out;
}

function splitScheme(value: string): { name: string; rest: string } | null {
  const v = value.trim();
  const sp = v.search(/[ \t]/);
  const name = sp < 0 ? v : v.slice(0, sp);
  if (!isToken(name)) return null;
  return { name, rest: sp < 0 ? '' : v.slice(sp + 1) };
}

const CHALLENGE_KEYS = new Set(['realm', 'nonce', 'domain', 'opaque', 'stale', 'algorithm', 'qop', 'userhash']);
const CREDENTIAL_KEYS = new Set(['username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'cnonce', 'opaque', 'qop', 'nc', 'userhash']);

function extras(params: Map<string, string>, known: Set<string>): Array<readonly [string, string]> {
  return [...params].filter(([k]) => !known.has(k));
}

export function parseChallenge(value: string): Result<Challenge> {
  const head = splitScheme(value);
  if (!head) return err('malformed authentication scheme');
  if (head.name.toLowerCase() !== 'digest') return ok({ scheme: 'other', name: head.name, raw: head.rest });
  const p = parseAuthParams(head.rest);
  if (typeof p === 'string') return err(p);
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined) return err('Digest challenge without realm or nonce');
  const stale = p.get('stale');
  const qop = p.get('qop');
  const userhash = p.get('userhash');
  return ok({
    scheme: 'Digest',
    realm,
    nonce,
    ...(p.has('domain') ? { domain: p.get('domain') } : {}),
    ...(p.has('opaque') ? { opaque: p.get('opaque') } : {}),
    ...(stale !== undefined ? { stale: stale.toLowerCase() === 'true' } : {}),
    ...(p.has('algorithm') ? { algorithm: normaliseAlgorithm(p.get('algorithm') ?? '') } : {}),
    ...(qop !== undefined ? { qop: qop.split(',').map((q) => q.trim()).filter((q) => q.length > 0) } : {}),
    ...(userhash !== undefined ? { userhash: userhash.toLowerCase() === 'true' } : {}),
    extra: extras(p, CHALLENGE_KEYS),
  });
}

export function parseCredentials(value: string): Result<Credentials> {
  const head = splitScheme(value);
  if (!head) return err('malformed authentication scheme');
  if (head.name.toLowerCase() !== 'digest') return ok({ scheme: 'other', name: head.name, raw: head.rest });
  const p = parseAuthParams(head.rest);
  if (typeof p === 'string') return err(p);
  const required = ['username', 'realm', 'nonce', 'uri', 'response'] as const;
  const missing = required.filter((k) => !p.has(k));
  if (missing.length > 0) return err(`Digest credentials without ${missing.join(', ')}`);
  const nc = p.get('nc');
  if (nc !== undefined && !/^[0-9a-fA-F]{8}$/.test(nc)) return err('malformed nonce-count');
  const qop = p.get('qop');
  if (qop !== undefined && (qop.length === 0 || !isToken(qop))) return err('malformed qop');
  // RFC 7616 §3.4: with qop, the client must also send cnonce and nc.
  if (qop !== undefined && (p.get('cnonce') === undefined || nc === undefined)) return err('qop requires cnonce and nc');
  const userhash = p.get('userhash');
  return ok({
    scheme: 'Digest',
    username: p.get('username') ?? '',
    realm: p.get('realm') ?? '',
    nonce: p.get('nonce') ?? '',
    uri: p.get('uri') ?? '',
    response: p.get('response') ?? '',
    ...(p.has('algorithm') ? { algorithm: normaliseAlgorithm(p.get('algorithm') ?? '') } : {}),
    ...(p.has('cnonce') ? { cnonce: p.get('cnonce') } : {}),
    ...(p.has('opaque') ? { opaque: p.get('opaque') } : {}),
    ...(qop !== undefined ? { qop } : {}),
    ...(nc !== undefined ? { nc: nc.toLowerCase() } : {}),
    ...(userhash !== undefined ? { userhash: userhash.toLowerCase() === 'true' } : {}),
    extra: extras(p, CREDENTIAL_KEYS),
  });
}

function normaliseAlgorithm(a: string): DigestAlgorithm | string {
  return ALGORITHMS.find((k) => k.toLowerCase() === a.toLowerCase()) ?? a;
}

function extraText(extra: ReadonlyArray<readonly [string, string]>): string[] {
  return extra.map(([k, v]) => `${k}=${isToken(v) ? v : quote(v)}`);
}

export function formatChallenge(c: Challenge): string {
  if (c.scheme === 'other') return c.raw.length > 0 ? `${c.name} ${c.raw}` : c.name;
  const parts = [`realm=${quote(c.realm)}`];
  if (c.domain !== undefined) parts.push(`domain=${quote(c.domain)}`);
  parts.push(`nonce=${quote(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.stale !== undefined) parts.push(`stale=${c.stale ? 'true' : 'false'}`);
  if (c.algorithm !== undefined) parts.push(`algorithm=${c.algorithm}`);
  if (c.qop !== undefined) parts.push(`qop=${quote(c.qop.join(','))}`);
  if (c.userhash !== undefined) parts.push(`userhash=${c.userhash ? 'true' : 'false'}`);
  parts.push(...extraText(c.extra));
  return `Digest ${parts.join(', ')}`;
}

export function formatCredentials(c: Credentials): string {
  if (c.scheme === 'other') return c.raw.length > 0 ? `${c.name} ${c.raw}` : c.name;
  const parts = [`username=${quote(c.username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(c.uri)}`];
  parts.push(`response=${quote(c.response)}`);
  if (c.algorithm !== undefined) parts.push(`algorithm=${c.algorithm}`);
  if (c.cnonce !== undefined) parts.push(`cnonce=${quote(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${c.qop}`);
  if (c.nc !== undefined) parts.push(`nc=${c.nc}`);
  if (c.userhash !== undefined) parts.push(`userhash=${c.userhash ? 'true' : 'false'}`);
  parts.push(...extraText(c.extra));
  return `Digest ${parts.join(', ')}`;
}
