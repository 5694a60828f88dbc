import type { SipTransport } from '../../events/domain/primitives.ts';

/** One registered contact of an address of record (RFC 3261 §10), as the location service holds it. */
export interface Binding {
  /** Minted at first registration; stable across refreshes. */
  readonly endpointId: string;
  /** The AOR (`sip:user@host`). */
  readonly aor: string;
  readonly contact: string;
  readonly transport: SipTransport;
  /** Where the REGISTER came from (`ip:port`): where requests go when the contact is behind NAT. */
  readonly sourceAddress: string;
  /** RFC 5626 `+sip.instance`, or null. */
  readonly instanceId: string | null;
  readonly userAgent: string | null;
  /** Canonical instant (see presence/instants.ts). Live up to and including it. */
  readonly expiresAt: string;
  /** First registration; a refresh keeps it. */
  readonly registeredAt: string;
}

/**
 * Ring order for a forked INVITE: oldest registration first, then endpoint id,
 * so every node forks in the same order whatever its map order.
 */
export function compareBindings(a: Binding, b: Binding): number {
  const at = Date.parse(a.registeredAt) - Date.parse(b.registeredAt);
  if (at !== 0) return at;
  return a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0;
}
