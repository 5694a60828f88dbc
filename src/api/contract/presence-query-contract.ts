import { z } from 'zod';
import { AvailabilityCodeSchema, AvailabilitySchema } from '../../events/domain/availability.ts';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';

/**
 * Wire contract of the presence queries: a user's aggregated presence now, one
 * or many at a time. Shared by the route plugin and clients.
 */

/** GET /presence?users=a,b,c */
export const PRESENCE_PATH = '/presence';

/** GET /users/{sipUri}/presence; the URI is percent-encoded so it makes one path segment. */
export function userPresencePath(sipUri: string): string {
  return `/users/${encodeURIComponent(sipUri)}/presence`;
}

/** At most this many users per GET /presence: the answer is built in one go and must stay small. */
export const MAX_PRESENCE_BATCH = 100;

export const PresenceBatchQuerySchema = z.object({
  // An AOR (sip:user@host, see SipUriSchema) never contains a comma, so a comma list is unambiguous.
  users: z
    .string()
    .transform((list) => list.split(','))
    .pipe(z.array(SipUriSchema).min(1).max(MAX_PRESENCE_BATCH))
    .describe(`comma-separated SIP URIs, 1 to ${MAX_PRESENCE_BATCH}`),
});
export type PresenceBatchQuery = z.output<typeof PresenceBatchQuerySchema>;

/** Which rule of the aggregation decided (see src/projections/presence/aggregate-presence.ts). */
export const PresenceSourceSchema = z.enum(['no_endpoint', 'user', 'call', 'machine', 'registration']);

export const UserPresenceSchema = z.object({
  sipUri: SipUriSchema,
  availability: AvailabilitySchema,
  /** The OCS availability-ladder code. */
  code: AvailabilityCodeSchema,
  activity: z.string().nullable(),
  note: z.string().nullable(),
  source: PresenceSourceSchema,
  /** Live presence subscriptions to this user. */
  watchers: z.number().int().nonnegative(),
});
export type UserPresence = z.infer<typeof UserPresenceSchema>;

/** GET /users/{sipUri}/presence */
export const UserPresenceAnswerSchema = UserPresenceSchema.extend({
  /** The instant the presence was evaluated at (expiries are relative to it). */
  asOf: IsoInstantSchema,
});
export type UserPresenceAnswer = z.infer<typeof UserPresenceAnswerSchema>;

/** GET /presence: the known users in the order asked (duplicates once), and those the directory does not know. */
export const PresenceBatchSchema = z.object({
  asOf: IsoInstantSchema,
  users: z.array(UserPresenceSchema),
  /** Not provisioned (or deprovisioned): no presence to show. */
  unknown: z.array(SipUriSchema),
});
export type PresenceBatch = z.infer<typeof PresenceBatchSchema>;
