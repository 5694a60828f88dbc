import type { DomainEvent } from '../events/domain/domain-catalogue.ts';

/** A JSON value as it sits in an event's data. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * One personal field of an event type: sealed with its owner's data key on
 * append, opened on read, and read as `erased` once that key is destroyed.
 */
export interface PersonalField {
  /** Where the value sits in the event's data, e.g. `['route', 'contacts']`. A missing or null value is left alone. */
  readonly path: readonly string[];
  /** The data subject whose key seals the value (a `sip:` or `tel:` URI); null leaves the value in clear. */
  readonly owner: (data: unknown) => string | null;
  /** What the field reads as after erasure. It must pass the event's schema (tested for every entry). */
  readonly erased: JsonValue;
}

/**
 * Placeholders, one per kind of value. Each one is valid where it is used
 * (a contact must still look like a SIP URI, an address like ip:port) so an
 * erased event goes through the same zod schema as any other, and each one is
 * recognisable: nobody registers from `sip:erased@erased.invalid`.
 */
export const ERASED_TEXT = '[erased]';
export const ERASED_CONTACT = 'sip:erased@erased.invalid';
/** TEST-NET-1 (RFC 5737) and the discard port: an address nothing answers at. */
export const ERASED_SOURCE_ADDRESS = '192.0.2.0:9';

/** The string at `data[key]`, or null: owners are read from the event itself, never from elsewhere. */
function stringAt(data: unknown, ...path: readonly string[]): string | null {
  let value: unknown = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : null;
}

const ownedBy =
  (...path: readonly string[]) =>
  (data: unknown): string | null =>
    stringAt(data, ...path);

const bySipUri = ownedBy('sipUri');

function fields(owner: (data: unknown) => string | null, entries: Readonly<Record<string, JsonValue>>): readonly PersonalField[] {
  return Object.entries(entries).map(([key, erased]) => ({ path: key.split('.'), owner, erased }));
}

const endpointBinding = {
  contact: ERASED_CONTACT,
  sourceAddress: ERASED_SOURCE_ADDRESS,
  userAgent: ERASED_TEXT,
};

/**
 * The personal fields of each event type that has any. Free text a person
 * wrote (IM bodies, notes, subjects), names, phone numbers, where and with
 * what device they connected. Addresses of record (`sip:` URIs) are not
 * sealed: they are the ids of streams and the keys of every read model
 * (docs/privacy.md, "What is not erased").
 *
 * Every type of the catalogue must appear here or in NO_PERSONAL_FIELDS; a
 * unit test holds new event types to that review.
 */
export const PERSONAL_FIELDS: Partial<Record<DomainEvent['type'], readonly PersonalField[]>> = {
  'directory.user_provisioned.v1': fields(bySipUri, { displayName: ERASED_TEXT, lineUri: null }),
  'directory.user_updated.v1': fields(bySipUri, { displayName: ERASED_TEXT, lineUri: null }),
  'directory.user_deprovisioned.v1': fields(bySipUri, { reason: ERASED_TEXT }),
  'endpoint.registered.v1': fields(bySipUri, { ...endpointBinding, instanceId: null }),
  'endpoint.refreshed.v1': fields(bySipUri, endpointBinding),
  'endpoint.unregistered.v1': fields(bySipUri, { contact: ERASED_CONTACT }),
  'endpoint.expired.v1': fields(bySipUri, { contact: ERASED_CONTACT }),
  'presence.published.v1': fields(bySipUri, { note: ERASED_TEXT }),
  'presence.user_state_set.v1': fields(bySipUri, { note: ERASED_TEXT }),
  'voice.forwarding_set.v1': fields(bySipUri, { immediate: null, noAnswer: null, busy: null, unreachable: null }),
  'voice.simultaneous_ring_set.v1': fields(bySipUri, { targets: [] }),
  'im.message_sent.v1': fields(ownedBy('sender'), { body: ERASED_TEXT }),
  'conference.scheduled.v1': fields(ownedBy('organizer'), { subject: ERASED_TEXT }),
  'call.initiated.v1': fields(ownedBy('caller'), { dialledString: ERASED_TEXT, normalizedNumber: null }),
  // Only a user route has contacts (the callee's devices); a PSTN route's number has no owner in the event.
  'call.routed.v1': fields(ownedBy('route', 'target'), { 'route.contacts': [ERASED_CONTACT] }),
  // The member's devices, rung on the callee's behalf.
  'call.leg_added.v1': fields(ownedBy('member'), { contacts: [ERASED_CONTACT] }),
};

/**
 * Types reviewed and found to carry no personal data beyond addresses of
 * record, ids, instants and configuration. Call ringing/answer contacts and
 * forward/transfer targets are here because the event does not say whose they
 * are (docs/privacy.md).
 */
export const NO_PERSONAL_FIELDS: ReadonlySet<DomainEvent['type']> = new Set<DomainEvent['type']>([
  'directory.credentials_set.v1',
  'presence.withdrawn.v1',
  'presence.expired.v1',
  'presence.user_state_cleared.v1',
  'presence.watcher_subscribed.v1',
  'presence.watcher_unsubscribed.v1',
  'presence.blocks_set.v1',
  'voice.delegates_set.v1',
  'voice.team_call_set.v1',
  'im.session_started.v1',
  'im.message_delivered.v1',
  'im.message_failed.v1',
  'im.session_ended.v1',
  'conference.activated.v1',
  'conference.participant_joined.v1',
  'conference.participant_lobbied.v1',
  'conference.participant_admitted.v1',
  'conference.participant_left.v1',
  'conference.participant_muted.v1',
  'conference.participant_unmuted.v1',
  'conference.locked.v1',
  'conference.unlocked.v1',
  'conference.ended.v1',
  'call.ringing.v1',
  'call.answered.v1',
  'call.forwarded.v1',
  'call.transferred.v1',
  'call.held.v1',
  'call.resumed.v1',
  'call.parked.v1',
  'call.retrieved.v1',
  'call.ended.v1',
  'voice.dial_plan_defined.v1',
  'voice.dial_plan_updated.v1',
  'voice.dial_plan_removed.v1',
  'voice.policy_defined.v1',
  'voice.policy_updated.v1',
  'voice.policy_removed.v1',
  'voice.pstn_route_defined.v1',
  'voice.pstn_route_updated.v1',
  'voice.pstn_route_removed.v1',
  'voice.gateway_defined.v1',
  'voice.gateway_updated.v1',
  'voice.gateway_removed.v1',
  'privacy.legal_hold_placed.v1',
  'privacy.legal_hold_released.v1',
  'privacy.user_forgotten.v1',
]);

/** The personal fields of `type` (none for a type without any, or unknown here). */
export function personalFieldsOf(type: string): readonly PersonalField[] {
  return (PERSONAL_FIELDS as Readonly<Record<string, readonly PersonalField[] | undefined>>)[type] ?? [];
}
