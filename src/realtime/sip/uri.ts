import {
  formatParams,
  getParam,
  isHeaderChars,
  isHost,
  isParamChars,
  isPasswordPart,
  isUserPart,
  unescapeComponent,
  type Param,
} from './grammar.ts';
import { err, ok, type Result } from './result.ts';

/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), plus an opaque form for any
 * other absolute URI (RFC 4475 §3.3.4: unknown schemes in header fields are legal).
 * Escapes (%HH) are kept as received; use `unescapeComponent` for comparisons.
 */
export type SipUri = {
  readonly scheme: 'sip' | 'sips';
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** As received; compare with `host.toLowerCase()`. IPv6 keeps its brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly Param[];
  readonly headers: readonly Param[];
};

export type TelUri = {
  readonly scheme: 'tel';
  /** global-number ("+1-972-555-2222") or local-number; visual separators kept. */
  readonly number: string;
  readonly params: readonly Param[];
};

export type AbsoluteUri = {
  readonly scheme: 'other';
  /** The scheme as written, e.g. "isbn", "soap.beep". */
  readonly name: string;
  readonly opaque: string;
};

export type Uri = SipUri | TelUri | AbsoluteUri;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

export function parseUri(text: string): Result<Uri> {
  const colon = text.indexOf(':');
  if (colon <= 0) return err('URI has no scheme');
  const scheme = text.slice(0, colon);
  if (!SCHEME.test(scheme)) return err(`invalid URI scheme ${JSON.stringify(scheme)}`);
  const rest = text.slice(colon + 1);
  switch (scheme.toLowerCase()) {
    case 'sip':
      return parseSipUri('sip', rest);
    case 'sips':
      return parseSipUri('sips', rest);
    case 'tel':
      return parseTelUri(rest);
    default:
      // absoluteURI: no whitespace and none of the delimiters that end a URI in a header.
      if (rest.length === 0 || /[\s<>"]/.test(rest)) return err(`malformed ${scheme} URI`);
      return ok({ scheme: 'other', name: scheme, opaque: rest });
  }
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): Result<SipUri> {
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (rest.indexOf('@', at + 1) >= 0) return err('unescaped "@" in SIP URI');
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pw = userinfo.indexOf(':');
    user = pw >= 0 ? userinfo.slice(0, pw) : userinfo;
    if (pw >= 0) {
      password = userinfo.slice(pw + 1);
      if (!isPasswordPart(password)) return err('invalid characters in SIP URI password');
    }
    if (!isUserPart(user)) return err('invalid or empty user part in SIP URI');
  }
  const q = hostPart.indexOf('?');
  const headersText = q >= 0 ? hostPart.slice(q + 1) : undefined;
  const beforeHeaders = q >= 0 ? hostPart.slice(0, q) : hostPart;
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi >= 0 ? beforeHeaders.slice(0, semi) : beforeHeaders;
  const paramsText = semi >= 0 ? beforeHeaders.slice(semi + 1) : '';

  let host = hostport;
  let port: number | undefined;
  const portColon = hostport.lastIndexOf(':');
  if (portColon >= 0 && hostport.indexOf(']', portColon) < 0) {
    host = hostport.slice(0, portColon);
    const p = parsePort(hostport.slice(portColon + 1));
    if (p === undefined) return err('invalid port in SIP URI');
    port = p;
  }
  if (!isHost(host)) return err(`invalid host ${JSON.stringify(host)} in SIP URI`);

  const params: Param[] = [];
  if (semi >= 0) {
    for (const piece of paramsText.split(';')) {
      const eq = piece.indexOf('=');
      const name = eq >= 0 ? piece.slice(0, eq) : piece;
      const value = eq >= 0 ? piece.slice(eq + 1) : null;
      if (!isParamChars(name) || (value !== null && !isParamChars(value))) return err('malformed SIP URI parameter');
      params.push([name, value]);
    }
  }
  const headers: Param[] = [];
  if (headersText !== undefined) {
    for (const piece of headersText.split('&')) {
      const eq = piece.indexOf('=');
      if (eq <= 0) return err('malformed SIP URI header');
      const name = piece.slice(0, eq);
      const value = piece.slice(eq + 1);
      if (!isHeaderChars(name) || !isHeaderChars(value)) return err('malformed SIP URI header');
      headers.push([name, value]);
    }
  }
  return ok({ scheme, user, password, host, port, params, headers });
}

/** 1*DIGIT within 0..65535; leading zeros are legal. */
export function parsePort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5 || !/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

const TEL_GLOBAL = /^\+[0-9().-]*[0-9][0-9().-]*$/;
const TEL_LOCAL = /^[0-9A-Fa-f*#().-]*[0-9A-Fa-f*#][0-9A-Fa-f*#().-]*$/;

function parseTelUri(rest: string): Result<TelUri> {
  const semi = rest.indexOf(';');
  const number = semi >= 0 ? rest.slice(0, semi) : rest;
  const params: Param[] = [];
  if (semi >= 0) {
    for (const piece of rest.slice(semi + 1).split(';')) {
      const eq = piece.indexOf('=');
      const name = eq >= 0 ? piece.slice(0, eq) : piece;
      const value = eq >= 0 ? piece.slice(eq + 1) : null;
      if (!isParamChars(name) || (value !== null && !isParamChars(value))) return err('malformed tel URI parameter');
      params.push([name, value]);
    }
  }
  if (TEL_GLOBAL.test(number)) return ok({ scheme: 'tel', number, params });
  if (TEL_LOCAL.test(number)) {
    // RFC 3966 §5.1.5: a local number is meaningless without its context.
    if (getParam(params, 'phone-context') == null) return err('local tel number without phone-context');
    return ok({ scheme: 'tel', number, params });
  }
  return err('invalid tel number');
}

export function formatUri(uri: Uri): string {
  switch (uri.scheme) {
    case 'sip':
    case 'sips': {
      let out = uri.scheme + ':';
      if (uri.user !== undefined) {
        out += uri.user;
        if (uri.password !== undefined) out += ':' + uri.password;
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += ':' + uri.port;
      out += formatParams(uri.params);
      if (uri.headers.length > 0) out += '?' + uri.headers.map(([n, v]) => `${n}=${v ?? ''}`).join('&');
      return out;
    }
    case 'tel':
      return 'tel:' + uri.number + formatParams(uri.params);
    case 'other':
      return uri.name + ':' + uri.opaque;
    default: {
      const never: never = uri;
      return never;
    }
  }
}

/**
 * The address-of-record key of a SIP URI: scheme, unescaped user and lower-cased
 * host, without port or parameters. Unescaping keeps %00 as a NUL character so
 * "null-%00-null" never collapses to "null-" (RFC 4475 §3.1.1.4).
 */
export function aorOf(uri: SipUri): string {
  const user = uri.user === undefined ? '' : unescapeComponent(uri.user) + '@';
  return `${uri.scheme}:${user}${uri.host.toLowerCase()}`;
}

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}
