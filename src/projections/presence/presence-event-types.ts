import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { HandledEvent } from '../framework/index.ts';

/**
 * The events the presence model reads, SQL projection and view alike: the
 * user's publications, chosen state and watchers, the endpoints that make them
 * reachable, the calls that make them busy, the watchers they block, and deprovisioning.
 */
export const PRESENCE_EVENT_TYPES = [
  'presence.published.v1',
  'presence.withdrawn.v1',
  'presence.expired.v1',
  'presence.user_state_set.v1',
  'presence.user_state_cleared.v1',
  'presence.watcher_subscribed.v1',
  'presence.watcher_unsubscribed.v1',
  'presence.blocks_set.v1',
  'endpoint.registered.v1',
  'endpoint.refreshed.v1',
  'endpoint.unregistered.v1',
  'endpoint.expired.v1',
  'call.initiated.v1',
  'call.routed.v1',
  'call.ringing.v1',
  'call.answered.v1',
  'call.forwarded.v1',
  'call.transferred.v1',
  'call.held.v1',
  'call.resumed.v1',
  'call.parked.v1',
  'call.retrieved.v1',
  'call.ended.v1',
  'directory.user_deprovisioned.v1',
] as const satisfies readonly DomainEvent['type'][];

export type PresenceEventType = (typeof PRESENCE_EVENT_TYPES)[number];
export type PresenceModelEvent = HandledEvent<DomainEvent, PresenceEventType>;
export type RecordedPresenceEvent = RecordedEvent<PresenceModelEvent>;
