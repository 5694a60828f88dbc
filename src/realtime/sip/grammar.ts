/**
 * Character classes and small scanners shared by the header parsers (RFC 3261 §25.1).
 * Lookup tables instead of regular expressions: these run for every header of
 * every message, so they stay branch-light and allocation-free.
 */

function table(chars: string, ranges: ReadonlyArray<readonly [number, number]> = []): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [from, to] of ranges) for (let c = from; c <= to; c++) t[c] = 1;
  return t;
}

const ALPHANUM: ReadonlyArray<readonly [number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const TOKEN = table("-.!%*_+`'~", ALPHANUM);
/** word additionally allows ( ) < > : \ " / [ ] ? { } (Call-ID). */
const WORD = table("-.!%*_+`'~()<>:\\\"/[]?{}", ALPHANUM);
/** unreserved = alphanum / mark */
const UNRESERVED = table("-_.!~*'()", ALPHANUM);
/** user = 1*( unreserved / escaped / user-unreserved ) */
const USER = table("-_.!~*'()&=+$,;?/", ALPHANUM);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
const PASSWORD = table("-_.!~*'()&=+$,", ALPHANUM);
/** paramchar = param-unreserved / unreserved / escaped */
const PARAMCHAR = table("-_.!~*'()[]/:&+$", ALPHANUM);
/** hname / hvalue = 1*( hnv-unreserved / unreserved / escaped ) */
const HNV = table("-_.!~*'()[]/?:+$", ALPHANUM);
const HOSTNAME = table('-._', ALPHANUM);

function allIn(t: Uint8Array, s: string, allowEscapes: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && allowEscapes) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

export function isToken(s: string): boolean {
  return s.length > 0 && allIn(TOKEN, s, false);
}

export function isWord(s: string): boolean {
  return s.length > 0 && allIn(WORD, s, false);
}

export function isUnreserved(s: string): boolean {
  return allIn(UNRESERVED, s, true);
}

export function isUserPart(s: string): boolean {
  return s.length > 0 && allIn(USER, s, true);
}

export function isPasswordPart(s: string): boolean {
  return allIn(PASSWORD, s, true);
}

export function isParamChars(s: string): boolean {
  return s.length > 0 && allIn(PARAMCHAR, s, true);
}

export function isHeaderChars(s: string): boolean {
  return allIn(HNV, s, true);
}

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/** Hostname, IPv4 address or bracketed IPv6 reference. */
export function isHost(s: string): boolean {
  if (s.length === 0) return false;
  if (s.charCodeAt(0) === 0x5b) {
    if (s.charCodeAt(s.length - 1) !== 0x5d) return false;
    const inner = s.slice(1, -1);
    return inner.length > 1 && /^[0-9a-fA-F:.]+$/.test(inner) && inner.includes(':');
  }
  if (!allIn(HOSTNAME, s, false)) return false;
  // Labels may not be empty: "a..b" or ".a" are not hosts (a trailing dot is allowed, FQDN style).
  const body = s.endsWith('.') ? s.slice(0, -1) : s;
  return body.length > 0 && !body.split('.').some((label) => label.length === 0);
}

export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Index of the first non-WSP character at or after `from`. */
export function skipWs(s: string, from: number): number {
  let i = from;
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Reads a quoted-string starting at `start` (which must be `"`). Returns the
 * unescaped content and the index after the closing quote, or null when unterminated.
 */
export function readQuoted(s: string, start: number): { value: string; end: number } | null {
  let out = '';
  let i = start + 1;
  let chunkStart = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) {
      if (i + 1 >= s.length) return null;
      out += s.slice(chunkStart, i) + s[i + 1];
      i += 2;
      chunkStart = i;
      continue;
    }
    if (c === 0x22) return { value: out + s.slice(chunkStart, i), end: i + 1 };
    i++;
  }
  return null;
}

export function quote(value: string): string {
  return '"' + value.replace(/["\\]/g, (m) => '\\' + m) + '"';
}

/**
 * Splits a header value on commas that are outside quoted strings and angle
 * brackets (Via, Contact, Route lists). Empty elements are kept so callers can
 * reject them ("SIP/2.0/UDP h;;,;,," is malformed, not two values).
 */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const q = readQuoted(value, i);
      if (!q) break; // unterminated: leave the rest as one element, its parser reports it
      i = q.end - 1;
    } else if (c === 0x3c) depth++;
    else if (c === 0x3e) depth = Math.max(0, depth - 1);
    else if (c === 0x2c && depth === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts;
}

/** A header or URI parameter; `value` is null for a flag parameter such as `;lr`. */
export type Param = readonly [name: string, value: string | null];

/** Case-insensitive lookup: parameter names are case-insensitive (RFC 3261 §7.3.1, §19.1.4). */
export function getParam(params: readonly Param[], name: string): string | null | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of params) if (n.toLowerCase() === lower) return v;
  return undefined;
}

export function hasParam(params: readonly Param[], name: string): boolean {
  return getParam(params, name) !== undefined;
}

/** Returns params with `name` set (replacing any existing value, keeping order). */
export function withParam(params: readonly Param[], name: string, value: string | null): Param[] {
  const lower = name.toLowerCase();
  let replaced = false;
  const out: Param[] = params.map((p) => {
    if (p[0].toLowerCase() !== lower) return p;
    replaced = true;
    return [p[0], value] as const;
  });
  if (!replaced) out.push([name, value]);
  return out;
}

/**
 * Parses `*( SEMI generic-param )` where the text starts at a ';' (or is empty).
 * generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string.
 * LWS is allowed around ';' and '='. Returns an error reason on empty or malformed params.
 */
export function parseGenericParams(s: string): Param[] | string {
  const params: Param[] = [];
  let i = skipWs(s, 0);
  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b) return `unexpected ${JSON.stringify(s[i])} where ';' was expected`;
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(nameStart, i);
    if (name.length === 0) return 'empty parameter';
    i = skipWs(s, i);
    let value: string | null = null;
    if (s.charCodeAt(i) === 0x3d) {
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === 0x22) {
        const q = readQuoted(s, i);
        if (!q) return `unterminated quoted value for parameter ${name}`;
        value = s.slice(i, q.end); // keep the quotes: gen-value is opaque to this layer
        i = q.end;
      } else {
        const valueStart = i;
        // token / host (host adds ':' and brackets for IPv6 references)
        while (i < s.length && (isTokenChar(s.charCodeAt(i)) || s[i] === ':' || s[i] === '[' || s[i] === ']')) i++;
        value = s.slice(valueStart, i);
        if (value.length === 0) return `empty value for parameter ${name}`;
      }
      i = skipWs(s, i);
    }
    params.push([name, value]);
  }
  return params;
}

export function formatParams(params: readonly Param[]): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** Percent-decodes an escaped URI component (never recursively, RFC 3986 §2.4). */
export function unescapeComponent(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
