import { formatParams, getParam, isHost, isToken, parseGenericParams, skipWs, splitList, withParam, type Param } from './grammar.ts';
import { err, ok, type Result } from './result.ts';
import { parsePort } from './uri.ts';

/** RFC 3261 §8.1.1.7: branches starting with this were made by an RFC 3261 element. */
export const MAGIC_COOKIE = 'z9hG4bK';

export type Via = {
  /** Upper-cased transport token: UDP, TCP, TLS, SCTP, WS, WSS or an extension. */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly Param[];
};

/** Parses one Via header line, which may hold several comma-separated via-parms. */
export function parseVia(value: string): Result<Via[]> {
  const vias: Via[] = [];
  for (const part of splitList(value)) {
    const via = parseViaParm(part);
    if (!via.ok) return via;
    vias.push(via.value);
  }
  return ok(vias);
}

/** Parses every Via line of a message, top first. */
export function parseVias(values: readonly string[]): Result<Via[]> {
  const vias: Via[] = [];
  for (const value of values) {
    const r = parseVia(value);
    if (!r.ok) return r;
    vias.push(...r.value);
  }
  return ok(vias);
}

// sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around "/".
const SENT_PROTOCOL = /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*([A-Za-z0-9.!%*_+`'~-]+)[ \t]+/i;

function parseViaParm(text: string): Result<Via> {
  if (text.length === 0) return err('empty Via value');
  const m = SENT_PROTOCOL.exec(text);
  if (!m) return err('malformed Via sent-protocol');
  const transport = (m[1] ?? '').toUpperCase();
  let i = skipWs(text, m[0].length);
  const sentByStart = i;
  while (i < text.length && text[i] !== ';' && text[i] !== ' ' && text[i] !== '\t') i++;
  const sentBy = text.slice(sentByStart, i);
  let host = sentBy;
  let port: number | undefined;
  const colon = sentBy.lastIndexOf(':');
  if (colon >= 0 && sentBy.indexOf(']', colon) < 0) {
    host = sentBy.slice(0, colon);
    port = parsePort(sentBy.slice(colon + 1));
    if (port === undefined) return err('invalid port in Via sent-by');
  }
  if (!isHost(host)) return err('invalid host in Via sent-by');
  const params = parseGenericParams(text.slice(i));
  if (typeof params === 'string') return err(`malformed Via parameters: ${params}`);
  const branch = getParam(params, 'branch');
  if (branch === null || (branch !== undefined && !isToken(branch))) return err('malformed Via branch');
  const rport = getParam(params, 'rport');
  if (rport != null && parsePort(rport) === undefined) return err('malformed Via rport');
  const received = getParam(params, 'received');
  if (received === null) return err('malformed Via received');
  return ok({ transport, host, port, params });
}

export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}

export function viaBranch(via: Via): string | undefined {
  return getParam(via.params, 'branch') ?? undefined;
}

/** sent-by as used in transaction keys: host lower-cased, port explicit. */
export function viaSentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? defaultPort(via.transport)}`;
}

export function defaultPort(transport: string): number {
  return transport === 'TLS' || transport === 'WSS' ? 5061 : 5060;
}

/**
 * Server-side Via processing (RFC 3261 §18.2.1, RFC 3581 §4): add `received`
 * when sent-by is not the source address, and fill an empty `rport` (or add
 * one when the server forces symmetric response routing).
 */
export function stampVia(via: Via, sourceAddress: string, sourcePort: number, forceRport: boolean): Via {
  let params = via.params;
  const rport = getParam(params, 'rport');
  const wantsRport = rport !== undefined || forceRport;
  if (host(via.host) !== host(sourceAddress) || wantsRport) params = withParam(params, 'received', sourceAddress);
  if (wantsRport) params = withParam(params, 'rport', String(sourcePort));
  return params === via.params ? via : { ...via, params };
}

function host(h: string): string {
  return (h.startsWith('[') ? h.slice(1, -1) : h).toLowerCase();
}

/**
 * Where a response to a request with this (stamped) top Via goes for an
 * unreliable transport (RFC 3261 §18.2.2, RFC 3581 §4): received + rport when
 * present, else received/sent-by and the sent-by port.
 */
export function responseTarget(via: Via): { address: string; port: number } {
  const received = getParam(via.params, 'received');
  const rport = getParam(via.params, 'rport');
  const address = received ?? (via.host.startsWith('[') ? via.host.slice(1, -1) : via.host);
  const port = rport != null ? Number(rport) : (via.port ?? defaultPort(via.transport));
  return { address, port };
}
