import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { HandledEvent } from '../framework/index.ts';

/** The events the location model (registrar bindings) reads, SQL projection and view alike. */
export const LOCATION_EVENT_TYPES = [
  'endpoint.registered.v1',
  'endpoint.refreshed.v1',
  'endpoint.unregistered.v1',
  'endpoint.expired.v1',
  'directory.user_deprovisioned.v1',
] as const satisfies readonly DomainEvent['type'][];

export type LocationEventType = (typeof LOCATION_EVENT_TYPES)[number];
export type RecordedLocationEvent = RecordedEvent<HandledEvent<DomainEvent, LocationEventType>>;
