import type { Gateway, PstnRoute, VoicePolicy } from '../../events/domain/voice-config-events.ts';
import { dialledNumberKey } from './number-key.ts';
import type { CompiledDialPlan, RoutingState, RoutingUser, UserVoiceSettings } from './routing-state.ts';

/**
 * What the call router asks the routing model. Synchronous: answered from the
 * in-memory view, never from SQL. Results are the view's own objects: read, never mutate.
 */
export interface RoutingReader {
  user(sipUri: string): RoutingUser | null;
  /**
   * Reverse number lookup: the user whose line URI is this normalized number
   * (`+14255550100`, `+14255550100;ext=100`, with or without `tel:`). Null when
   * no user, or more than one, holds it: a shared number must not ring an
   * arbitrary one of them (see `usersByNumber`).
   */
  userByNumber(number: string): RoutingUser | null;
  /** Every user holding the number, by SIP URI: more than one is a provisioning conflict. */
  usersByNumber(number: string): readonly RoutingUser[];
  /** Forwarding, simultaneous ring, delegates and team call; null for an unknown user. */
  voiceFeatures(sipUri: string): UserVoiceSettings | null;
  dialPlan(name: string): CompiledDialPlan | null;
  voicePolicy(name: string): VoicePolicy | null;
  /** Every PSTN route in the order they are tried: priority, then name. */
  routes(): readonly PstnRoute[];
  gateway(name: string): Gateway | null;
  /**
   * The gateway defined at exactly this transport, IP address and port (a
   * request's source), or null. A gateway defined by DNS name is never found:
   * the hot path does not resolve names.
   */
  gatewayAt(transport: string, address: string, port: number): Gateway | null;
}

/** `host:port` of a gateway as `[host, port]`, brackets off an IPv6 literal. */
function splitHostPort(hostPort: string): [string, number] {
  const at = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, at);
  return [host.startsWith('[') ? host.slice(1, -1).toLowerCase() : host.toLowerCase(), Number(hostPort.slice(at + 1))];
}

/**
 * A reader over a view's current state. Takes the holder, not the state: a
 * view replaces its state object when it is seeded.
 */
export function routingReader(source: { readonly state: RoutingState }): RoutingReader {
  const holders = (number: string): readonly string[] => {
    const key = dialledNumberKey(number);
    return key === null ? [] : (source.state.usersByNumber.get(key) ?? []);
  };
  return {
    user: (sipUri) => source.state.users.get(sipUri) ?? null,
    userByNumber(number) {
      const found = holders(number);
      return found.length === 1 ? (source.state.users.get(found[0]!) ?? null) : null;
    },
    usersByNumber: (number) => holders(number).flatMap((sipUri) => source.state.users.get(sipUri) ?? []),
    voiceFeatures: (sipUri) => source.state.users.get(sipUri)?.voice ?? null,
    dialPlan: (name) => source.state.dialPlans.get(name) ?? null,
    voicePolicy: (name) => source.state.voicePolicies.get(name) ?? null,
    routes: () => source.state.routeOrder,
    gateway: (name) => source.state.gateways.get(name) ?? null,
    gatewayAt(transport, address, port) {
      const ip = address.toLowerCase();
      // Few gateways, rarely many: a scan costs less than keeping an index in step with the view.
      for (const gateway of source.state.gateways.values()) {
        const [host, gatewayPort] = splitHostPort(gateway.address);
        if (gateway.transport === transport && gatewayPort === port && host === ip) return gateway;
      }
      return null;
    },
  };
}
