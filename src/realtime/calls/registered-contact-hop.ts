import type { Binding } from '../../projections/location/index.ts';
import type { NextHop } from '../engine/signaling-engine.ts';
import { parseHostPort } from '../im/contact-targets.ts';
import type { FlowReader } from '../registrar/flow-table.ts';
import { sourceAddressHop } from './call-router.ts';

/**
 * The call router's next hop for a registered contact: the flow its REGISTER
 * came over while this node still holds it (RFC 5626; a WebSocket phone has
 * no other way in, RFC 7118 §6), else the address it registered from.
 */
export function registeredContactHop(flows: FlowReader): (binding: Binding) => NextHop | undefined {
  return (binding) => {
    const flow = flows.flowOf(binding.endpointId);
    const source = parseHostPort(binding.sourceAddress);
    if (flow && source) return { kind: 'flow', flow: { transport: flow.transport, address: source.address, port: source.port, id: flow.flowId } };
    return sourceAddressHop(binding);
  };
}
