import {
  formatParams,
  getParam,
  isTokenChar,
  isWsp,
  parseGenericParams,
  quote,
  readQuoted,
  skipWs,
  splitList,
  type Param,
} from './grammar.ts';
import { err, ok, type Result } from './result.ts';
import { formatUri, parseUri, type Uri } from './uri.ts';

/**
 * From, To, Contact, Route, Record-Route, Reply-To, Refer-To values:
 * ( name-addr / addr-spec ) *( SEMI generic-param ) (RFC 3261 §20.10, §25.1).
 */
export type NameAddr = {
  /** Unquoted, quoted-pairs resolved; undefined when absent. */
  readonly displayName: string | undefined;
  readonly uri: Uri;
  /** Header parameters (tag, expires, q, +sip.instance …), not URI parameters. */
  readonly params: readonly Param[];
};

/** A Contact value: a name-addr, or "*" (only legal in a REGISTER removing all bindings). */
export type ContactValue = { readonly kind: 'wildcard' } | ({ readonly kind: 'address' } & NameAddr);

export function parseNameAddr(text: string): Result<NameAddr> {
  const s = text.trim();
  if (s.length === 0) return err('empty address');
  let i = 0;
  let displayName: string | undefined;
  let uriText: string;

  const lt = findUnquoted(s, '<');
  if (s.charCodeAt(0) === 0x22) {
    const q = readQuoted(s, 0);
    if (!q) return err('unterminated quoted display name');
    displayName = q.value;
    i = skipWs(s, q.end);
    if (s.charCodeAt(i) !== 0x3c) return err('quoted display name not followed by <');
  } else if (lt > 0) {
    // display-name = *(token LWS): anything else before "<" (",", "@" …) is malformed.
    const name = s.slice(0, lt);
    for (let k = 0; k < name.length; k++) {
      const c = name.charCodeAt(k);
      if (!isTokenChar(c) && !isWsp(c)) return err('display name must be a quoted string or tokens');
    }
    const trimmed = name.trim();
    displayName = trimmed.length > 0 ? trimmed.replace(/[ \t]+/g, ' ') : undefined;
    i = lt;
  } else if (lt === 0) {
    i = 0;
  } else {
    // addr-spec: the URI ends at the first ";" — those are header parameters (RFC 3261 §20).
    const semi = s.indexOf(';');
    uriText = semi >= 0 ? s.slice(0, semi).trim() : s;
    if (/[\s,?]/.test(uriText)) return err('an address with spaces, commas or URI headers must be enclosed in <>');
    const uri = parseUri(uriText);
    if (!uri.ok) return err(uri.error);
    const params = semi >= 0 ? parseGenericParams(s.slice(semi)) : [];
    if (typeof params === 'string') return err(`malformed parameters: ${params}`);
    return ok({ displayName: undefined, uri: uri.value, params });
  }

  // name-addr: LAQUOT addr-spec RAQUOT with no whitespace inside the brackets.
  const gt = s.indexOf('>', i + 1);
  if (gt < 0) return err('missing > after the URI');
  uriText = s.slice(i + 1, gt);
  if (uriText.length === 0 || /\s/.test(uriText)) return err('whitespace inside <> around the URI');
  const uri = parseUri(uriText);
  if (!uri.ok) return err(uri.error);
  const params = parseGenericParams(s.slice(gt + 1));
  if (typeof params === 'string') return err(`malformed parameters: ${params}`);
  return ok({ displayName, uri: uri.value, params });
}

/** Parses a comma-separated list of name-addrs (one header line of Route, Record-Route …). */
export function parseNameAddrList(values: readonly string[]): Result<NameAddr[]> {
  const out: NameAddr[] = [];
  for (const value of values) {
    for (const part of splitList(value)) {
      const r = parseNameAddr(part);
      if (!r.ok) return r;
      out.push(r.value);
    }
  }
  return ok(out);
}

/** Parses every Contact line of a message; "*" must stand alone. */
export function parseContacts(values: readonly string[]): Result<ContactValue[]> {
  const out: ContactValue[] = [];
  for (const value of values) {
    for (const part of splitList(value)) {
      if (part === '*') {
        out.push({ kind: 'wildcard' });
        continue;
      }
      const r = parseNameAddr(part);
      if (!r.ok) return err(r.error);
      out.push({ kind: 'address', ...r.value });
    }
  }
  if (out.length > 1 && out.some((c) => c.kind === 'wildcard')) return err('Contact "*" combined with other contacts');
  return ok(out);
}

/** Always uses the name-addr form: safe whatever the URI holds (";", "?", ","). */
export function formatNameAddr(value: NameAddr): string {
  const name = value.displayName === undefined ? '' : quote(value.displayName) + ' ';
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}

export function formatContact(value: ContactValue): string {
  return value.kind === 'wildcard' ? '*' : formatNameAddr(value);
}

export function tagOf(value: NameAddr): string | undefined {
  return getParam(value.params, 'tag') ?? undefined;
}

function findUnquoted(s: string, ch: string): number {
  const code = ch.charCodeAt(0);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      const q = readQuoted(s, i);
      if (!q) return -1;
      i = q.end - 1;
    } else if (c === code) return i;
  }
  return -1;
}
