import type { NextHop } from '../../engine/signaling-engine.ts';
import { getParam } from '../grammar.ts';
import type { Destination } from '../sip-engine.ts';
import type { TransportProtocol } from '../transport/transport.ts';
import type { Uri } from '../uri.ts';

function protocolOf(name: string): TransportProtocol | undefined {
  switch (name.toLowerCase()) {
    case 'udp':
      return 'udp';
    case 'tcp':
      return 'tcp';
    case 'tls':
      return 'tls';
    case 'ws':
      return 'ws';
    case 'wss':
      return 'wss';
    default:
      return undefined;
  }
}

/** RFC 3261 §19.1.2 for UDP/TCP/TLS; RFC 7118 §5.1 (RFC 6455's) for WS/WSS. */
const DEFAULT_PORTS: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/**
 * Where a SIP(S) URI says to send (RFC 3263 reduced to what needs no DNS
 * records: the URI's transport parameter, TLS for sips, the default ports).
 * NAPTR/SRV resolution is not done; hosts are passed to the socket as written.
 */
export function destinationForUri(uri: Uri): Destination | undefined {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return undefined;
  const transportParam = getParam(uri.params, 'transport');
  const named = transportParam ? protocolOf(transportParam) : 'udp';
  // sips: TLS, or WSS for `transport=ws` (RFC 7118 §5.2).
  const protocol = uri.scheme === 'sips' ? (named === 'ws' || named === 'wss' ? 'wss' : 'tls') : named;
  if (!protocol) return undefined;
  const address = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  return { protocol, address, port: uri.port ?? DEFAULT_PORTS[protocol] };
}

/** The embedded engine's destination for an explicit next hop. */
export function destinationForHop(hop: NextHop): Destination | undefined {
  switch (hop.kind) {
    case 'flow':
      return { flowId: hop.flow.id };
    case 'address': {
      const protocol = protocolOf(hop.transport);
      return protocol ? { protocol, address: hop.address, port: hop.port } : undefined;
    }
    default: {
      const never: never = hop;
      return never;
    }
  }
}

/** The transport a destination will use. */
export function protocolOfDestination(destination: Destination): TransportProtocol | undefined {
  if ('flowId' in destination) return protocolOf(destination.flowId.slice(0, destination.flowId.indexOf(':')));
  return destination.protocol;
}
