import type { Binding } from '../../projections/location/binding.ts';
import type { FlowRef } from '../engine/signaling-engine.ts';
import { getParam } from '../sip/grammar.ts';
import type { ContactValue } from '../sip/name-addr.ts';
import { formatUri } from '../sip/uri.ts';
import type { BindingFlows } from './presence-ports.ts';

/**
 * Which registered endpoint of the presentity sent a PUBLISH. The user decider
 * keeps one publication per endpoint (RFC 3903 per-device state, OCS's model),
 * and a PUBLISH names no endpoint, so it is matched against the AOR's live
 * bindings, most specific evidence first:
 *
 * 1. a Contact with `+sip.instance` (RFC 5626): the binding with that instance id;
 * 2. a Contact URI equal to a binding's contact;
 * 3. the flow the PUBLISH came over is the one the binding registered over
 *    (same TCP/TLS/WS connection, or same UDP address) — the common case, as
 *    clients publish from the socket they register from;
 * 4. the source `ip:port` and transport the binding registered from (the log
 *    keeps it; covers a node that did not see the REGISTER itself).
 *
 * No guess beyond that: a PUBLISH that matches no binding is refused (403)
 * rather than credited to some other device of the user.
 */
export function publisherEndpoint(
  live: readonly Binding[],
  contacts: readonly ContactValue[],
  source: FlowRef,
  flows: BindingFlows | undefined,
): string | undefined {
  const addresses = contacts.filter((c) => c.kind === 'address');
  for (const c of addresses) {
    const raw = getParam(c.params, '+sip.instance');
    if (raw === undefined || raw === null) continue;
    const instance = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    const match = live.find((b) => b.instanceId === instance);
    if (match) return match.endpointId;
  }
  for (const c of addresses) {
    const uri = formatUri(c.uri);
    const match = live.find((b) => b.contact === uri);
    if (match) return match.endpointId;
  }
  if (flows) {
    const match = live.find((b) => flows.flowOf(b.endpointId)?.flowId === source.id);
    if (match) return match.endpointId;
  }
  const address = sourceAddress(source.address, source.port);
  return live.find((b) => b.sourceAddress === address && b.transport === source.transport)?.endpointId;
}

/** As the registrar writes `sourceAddress`: `ip:port`, `[v6]:port`, IPv4-mapped IPv6 unwrapped. */
export function sourceAddress(address: string, port: number): string {
  const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return plain.includes(':') ? `[${plain}]:${port}` : `${plain}:${port}`;
}
