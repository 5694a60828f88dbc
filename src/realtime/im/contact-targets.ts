import type { Binding } from '../../projections/location/binding.ts';
import type { ProxyTarget } from '../engine/proxy-operation.ts';
import type { NextHop } from '../engine/signaling-engine.ts';
import type { FlowReader } from '../registrar/flow-table.ts';

/**
 * Proxy targets for an AOR's live bindings, in the location reader's order.
 *
 * The next hop, best first:
 * - the flow the REGISTER came over, when this node still holds it (RFC 5626:
 *   a NATed or WebSocket client is only reachable over its own connection);
 * - for UDP, the address the REGISTER came from (the NAT binding the client
 *   keeps alive), which is right behind NAT and equal to the Contact otherwise;
 * - else none: the Contact URI itself (RFC 3261 §16.5), e.g. a TCP client whose
 *   connection is gone but which listens on its Contact.
 */
export function contactTargets(bindings: readonly Binding[], flows: FlowReader | undefined): ProxyTarget[] {
  return bindings.map((binding) => {
    const hop = nextHopOf(binding, flows);
    return hop ? { uri: binding.contact, nextHop: hop } : { uri: binding.contact };
  });
}

function nextHopOf(binding: Binding, flows: FlowReader | undefined): NextHop | undefined {
  const source = parseHostPort(binding.sourceAddress);
  const flow = flows?.flowOf(binding.endpointId);
  if (flow && source) return { kind: 'flow', flow: { transport: flow.transport, address: source.address, port: source.port, id: flow.flowId } };
  if (binding.transport === 'udp' && source) return { kind: 'address', transport: 'udp', address: source.address, port: source.port };
  return undefined;
}

/** `192.0.2.1:5060` or `[2001:db8::1]:5060`, as the registrar writes `sourceAddress`. */
export function parseHostPort(text: string): { address: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { address: m[1] ?? m[2] ?? '', port };
}
