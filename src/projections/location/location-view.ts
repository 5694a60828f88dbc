import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { defineInMemoryView } from '../framework/index.ts';
import { canonicalInstant } from '../presence/instants.ts';
import { LOCATION_EVENT_TYPES, type LocationEventType, type RecordedLocationEvent } from './location-event-types.ts';
import { emptyLocationViewState, putBinding, removeBinding, type LocationViewState } from './location-view-state.ts';

/** Distinct from the SQL projection's name: a ProjectionManager refuses two of one name. */
export const LOCATION_VIEW_NAME = 'location_view';

/**
 * The registrar's bindings in memory, for routing an INVITE without SQL.
 * `apply` returns the AORs whose bindings changed. Expiry is not applied here
 * (the view never reads the clock): `createLocationReader` filters by the
 * caller's `now`, and `endpoint.expired.v1` removes the binding for good.
 */
export const locationView = defineInMemoryView<DomainEvent, LocationViewState, string, LocationEventType>({
  name: LOCATION_VIEW_NAME,
  canHandle: LOCATION_EVENT_TYPES,
  initialState: emptyLocationViewState,
  apply: applyLocationEvent,
});

export function applyLocationEvent(state: LocationViewState, event: RecordedLocationEvent): readonly string[] {
  switch (event.type) {
    case 'endpoint.registered.v1': {
      const d = event.data;
      const moved = state.byEndpoint.get(d.endpointId)?.aor;
      putBinding(state, {
        endpointId: d.endpointId,
        aor: d.sipUri,
        contact: d.contact,
        transport: d.transport,
        sourceAddress: d.sourceAddress,
        instanceId: d.instanceId,
        userAgent: d.userAgent,
        expiresAt: canonicalInstant(d.expiresAt),
        registeredAt: canonicalInstant(d.at),
      });
      return changedAors(d.sipUri, moved);
    }
    case 'endpoint.refreshed.v1': {
      const d = event.data;
      // A refresh carries no instance id: the binding keeps the one it registered with.
      const previous = state.byEndpoint.get(d.endpointId);
      putBinding(state, {
        endpointId: d.endpointId,
        aor: d.sipUri,
        contact: d.contact,
        transport: d.transport,
        sourceAddress: d.sourceAddress,
        instanceId: previous?.instanceId ?? null,
        userAgent: d.userAgent,
        expiresAt: canonicalInstant(d.expiresAt),
        registeredAt: previous?.registeredAt ?? canonicalInstant(d.at),
      });
      return changedAors(d.sipUri, previous?.aor);
    }
    case 'endpoint.unregistered.v1':
    case 'endpoint.expired.v1': {
      const removed = removeBinding(state, event.data.endpointId);
      return removed ? [removed.aor] : [];
    }
    case 'directory.user_deprovisioned.v1': {
      const aor = event.data.sipUri;
      for (const endpointId of [...(state.byAor.get(aor)?.keys() ?? [])]) removeBinding(state, endpointId);
      return [aor];
    }
    default: {
      const unreachable: never = event;
      throw new Error(`location view cannot apply ${String(unreachable)}`);
    }
  }
}

function changedAors(aor: string, previousAor: string | undefined): readonly string[] {
  return previousAor !== undefined && previousAor !== aor ? [aor, previousAor] : [aor];
}
