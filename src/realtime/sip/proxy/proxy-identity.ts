import { getParam } from '../grammar.ts';
import type { TransportProtocol } from '../transport/transport.ts';
import type { Uri } from '../uri.ts';
import { defaultPort } from '../via.ts';

/**
 * Who "this proxy" is on the wire: the host written in its Via sent-by and
 * Record-Route, and the ports it listens on. Loop detection (RFC 3261 §16.3
 * step 4) and Route processing (§16.4) both ask "is this address me?".
 */
export type ProxyIdentity = {
  readonly advertisedHost: string;
  readonly listening: ReadonlyArray<{ readonly protocol: TransportProtocol; readonly address: string; readonly port: number }>;
};

const WILDCARD = new Set(['0.0.0.0', '::', '']);

function bare(host: string): string {
  return (host.startsWith('[') ? host.slice(1, -1) : host).toLowerCase();
}

/** True when host:port (port defaulted for the transport) names one of our listening sockets. */
export function isOwnAddress(identity: ProxyIdentity, host: string, port: number | undefined, transport: string): boolean {
  const h = bare(host);
  const hostMatches = h === bare(identity.advertisedHost) || identity.listening.some((l) => !WILDCARD.has(l.address) && bare(l.address) === h);
  if (!hostMatches) return false;
  const p = port ?? defaultPort(transport.toUpperCase());
  // Any of our ports: a request may come back over another transport than it left on.
  return identity.listening.some((l) => l.port === p);
}

/** True for a SIP(S) URI that points at this proxy (a Route or Request-URI we placed, RFC 3261 §16.4). */
export function isOwnUri(identity: ProxyIdentity, uri: Uri): boolean {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return false;
  const transport = getParam(uri.params, 'transport') ?? (uri.scheme === 'sips' ? 'tls' : 'udp');
  return isOwnAddress(identity, uri.host, uri.port, transport);
}

/**
 * The URI this proxy records for one of its transports (RFC 3261 §16.6 step
 * 4): loose-routing (`lr`), with the port and, for streams, the transport, so
 * the next request reaches the same socket.
 */
export function recordRouteUri(identity: ProxyIdentity, protocol: TransportProtocol): string | undefined {
  const socket = identity.listening.find((l) => l.protocol === protocol);
  if (!socket) return undefined;
  const transport = protocol === 'udp' ? '' : `;transport=${protocol}`;
  return `<sip:${identity.advertisedHost}:${socket.port}${transport};lr>`;
}
