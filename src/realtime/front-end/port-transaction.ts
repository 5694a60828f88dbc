import type { GatedRequest } from '../abuse/rate-limit-gate.ts';
import type { InboundRequest } from '../engine/signaling-engine.ts';
import type { RegisterTransaction } from '../registrar/registrar.ts';

/**
 * A port request in the shape the rate-limit gate and the registrar were
 * written against (the embedded engine's IncomingRequest), with the port
 * request kept alongside for the handlers that take it.
 */
export type PortTransaction = RegisterTransaction &
  GatedRequest & {
    readonly inbound: InboundRequest;
  };

export function portTransaction(inbound: InboundRequest): PortTransaction {
  const { source } = inbound;
  return {
    inbound,
    request: inbound.message,
    core: inbound.core,
    source: {
      protocol: source.transport,
      address: source.address,
      port: source.port,
      flowId: source.id,
      // The port does not expose the local socket; neither the gate nor the registrar reads it.
      localAddress: '',
      localPort: 0,
    },
    reply: (status, reason, options) => inbound.reply(status, reason, options),
  };
}
