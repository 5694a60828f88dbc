import { isLiveAt } from '../presence/instants.ts';
import { compareBindings, type Binding } from './binding.ts';
import type { LocationViewState } from './location-view-state.ts';

/**
 * What the SIP plane (registrar, proxy, presence server) reads, synchronously.
 * The view holds bindings until an unregister or expiry event removes them, so
 * every time-dependent answer takes the caller's `now` (ISO-8601).
 */
export interface LocationReader {
  /** The AOR's bindings live at `now`, in ring order (oldest registration first). */
  liveContacts(aor: string, now: string): readonly Binding[];
  /** The binding with this endpoint id, live or not (the caller checks `expiresAt` if it cares). */
  bindingOf(endpointId: string): Binding | undefined;
  /** True when the AOR has at least one binding live at `now`. */
  isRegistered(aor: string, now: string): boolean;
}

/** A reader over a view's state. Takes the holder, not the state: a view swaps its state in when it seeds. */
export function createLocationReader(view: { readonly state: LocationViewState }): LocationReader {
  const live = (aor: string, now: string) => [...(view.state.byAor.get(aor)?.values() ?? [])].filter((b) => isLiveAt(b.expiresAt, now));
  return {
    liveContacts: (aor, now) => live(aor, now).sort(compareBindings),
    bindingOf: (endpointId) => view.state.byEndpoint.get(endpointId),
    isRegistered: (aor, now) => live(aor, now).length > 0,
  };
}
