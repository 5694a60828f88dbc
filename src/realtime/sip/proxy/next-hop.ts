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
    default:
      return undefined;
  }
}

/**
 * Where a SIP(S) URI says to send (RFC 3263 reduced to what needs no DNS
 * records: the URI's transport parameter, TLS for sips, the default ports).
 * NAPTR/SRV resolution is not done; hosts are passed to the socket as written.
 */
export function destinationForUri(uri: Uri): Destination | undefined {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return undefined;
  const transportParam = getParam(uri.params, 'transport');
  const protocol = uri.scheme === 'sips' ? 'tls' : transportParam ? protocolOf(transportParam) : 'udp';
  if (!protocol) return undefined;
  const address = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  return { protocol, address, port: uri.port ?? (protocol === 'tls' ? 5061 : 5060) };
}

/** The embedded engine's destination for an explicit next hop (WebSocket hops are not carried by this engine). */
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
