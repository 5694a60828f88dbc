import type { Binding } from './binding.ts';

/**
 * The location view's state: bindings by AOR (what routing reads) and by
 * endpoint id (what a refresh, an unregister or the presence server needs).
 * Both maps hold the same Binding objects; an AOR with no binding has no entry.
 */
export interface LocationViewState {
  /** aor → endpointId → binding. */
  readonly byAor: Map<string, Map<string, Binding>>;
  /** endpointId → binding. */
  readonly byEndpoint: Map<string, Binding>;
}

export function emptyLocationViewState(): LocationViewState {
  return { byAor: new Map(), byEndpoint: new Map() };
}

/** Adds or replaces a binding in both indexes (an endpoint never changes AOR; if it did, it moves). */
export function putBinding(state: LocationViewState, binding: Binding): void {
  const previous = state.byEndpoint.get(binding.endpointId);
  if (previous && previous.aor !== binding.aor) removeBinding(state, previous.endpointId);
  state.byEndpoint.set(binding.endpointId, binding);
  let bindings = state.byAor.get(binding.aor);
  if (!bindings) {
    bindings = new Map();
    state.byAor.set(binding.aor, bindings);
  }
  bindings.set(binding.endpointId, binding);
}

/** Removes a binding from both indexes; returns it, or undefined when there was none. */
export function removeBinding(state: LocationViewState, endpointId: string): Binding | undefined {
  const binding = state.byEndpoint.get(endpointId);
  if (!binding) return undefined;
  state.byEndpoint.delete(endpointId);
  const bindings = state.byAor.get(binding.aor);
  bindings?.delete(endpointId);
  if (bindings?.size === 0) state.byAor.delete(binding.aor);
  return binding;
}
