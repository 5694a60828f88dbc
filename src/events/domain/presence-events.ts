import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { AvailabilityCodeSchema, AvailabilitySchema } from './availability.ts';
import { IsoInstantSchema, OpaqueIdSchema, SipUriSchema, uniqueList } from './primitives.ts';

/** A dialog-level SUBSCRIBE id (Call-ID plus tags), opaque here; wider than OpaqueId for long Call-IDs. */
export const SubscriptionIdSchema = z.string().regex(/^[\x21-\x7e]{1,512}$/, 'must be 1-512 printable characters');

/** Most entries a presence block list may hold. */
export const MAX_PRESENCE_BLOCKS = 200;

/** A refused watcher: one AOR (`sip:user@host`) or a whole domain (`host`, lower case). */
export const PresenceBlockSchema = z.union([
  SipUriSchema,
  z.string().max(253).regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be sip:user@host or a lower-case domain'),
]);

export const presenceEvents = {
  /** One endpoint's publication (RFC 3903); `etag` is what the next SIP-If-Match must carry. */
  'presence.published.v1': z.strictObject({
    sipUri: SipUriSchema,
    endpointId: OpaqueIdSchema,
    availability: AvailabilitySchema,
    code: AvailabilityCodeSchema,
    activity: z.string().max(128).nullable(),
    note: z.string().max(1024).nullable(),
    etag: OpaqueIdSchema,
    expiresAt: IsoInstantSchema,
    at: IsoInstantSchema,
  }),
  /** The publication is gone before its expiry: removed by the endpoint, or its endpoint left. */
  'presence.withdrawn.v1': z.strictObject({
    sipUri: SipUriSchema,
    endpointId: OpaqueIdSchema,
    etag: OpaqueIdSchema,
    reason: z.enum(['unpublished', 'endpoint_unregistered', 'endpoint_expired']),
    at: IsoInstantSchema,
  }),
  'presence.expired.v1': z.strictObject({
    sipUri: SipUriSchema,
    endpointId: OpaqueIdSchema,
    etag: OpaqueIdSchema,
    expiredAt: IsoInstantSchema,
    at: IsoInstantSchema,
  }),
  /** A state the user chose ("Appear away until 14:00"); it outranks machine publications. */
  'presence.user_state_set.v1': z.strictObject({
    sipUri: SipUriSchema,
    availability: AvailabilitySchema,
    code: AvailabilityCodeSchema,
    note: z.string().max(1024).nullable(),
    until: IsoInstantSchema.nullable(),
    at: IsoInstantSchema,
  }),
  'presence.user_state_cleared.v1': z.strictObject({
    sipUri: SipUriSchema,
    reason: z.enum(['cleared', 'expired']),
    at: IsoInstantSchema,
  }),
  /** Written for a new subscription and for each refresh of it (same subscriptionId, later expiresAt). */
  'presence.watcher_subscribed.v1': z.strictObject({
    sipUri: SipUriSchema,
    watcherUri: SipUriSchema,
    subscriptionId: SubscriptionIdSchema,
    expiresAt: IsoInstantSchema,
    at: IsoInstantSchema,
  }),
  'presence.watcher_unsubscribed.v1': z.strictObject({
    sipUri: SipUriSchema,
    watcherUri: SipUriSchema,
    subscriptionId: SubscriptionIdSchema,
    /** `rejected`: the presentity blocked the watcher (RFC 6665 §4.2.2). */
    reason: z.enum(['unsubscribed', 'expired', 'rejected']),
    at: IsoInstantSchema,
  }),
  /** The user's complete presence block list (not a delta); empty: nobody is blocked. */
  'presence.blocks_set.v1': z.strictObject({
    sipUri: SipUriSchema,
    blocked: uniqueList(PresenceBlockSchema, 'blocked').max(MAX_PRESENCE_BLOCKS),
    at: IsoInstantSchema,
  }),
} as const;

export type PresenceEvent = EventsOf<typeof presenceEvents>;
