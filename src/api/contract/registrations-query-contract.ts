import { z } from 'zod';
import { IsoInstantSchema, SipTransportSchema, SipUriSchema } from '../../events/domain/primitives.ts';

/** GET /users/{sipUri}/registrations; the URI is percent-encoded so it makes one path segment. */
export function userRegistrationsPath(sipUri: string): string {
  return `/users/${encodeURIComponent(sipUri)}/registrations`;
}

/** One live binding of the user (RFC 3261 §10). */
export const RegistrationSchema = z.object({
  /** Minted at first registration; stable across refreshes. */
  endpointId: z.string(),
  contact: z.string(),
  transport: SipTransportSchema,
  /** Where the REGISTER came from (`ip:port`). */
  sourceAddress: z.string(),
  /** RFC 5626 `+sip.instance`, or null. */
  instanceId: z.string().nullable(),
  userAgent: z.string().nullable(),
  registeredAt: IsoInstantSchema,
  expiresAt: IsoInstantSchema,
});
export type Registration = z.infer<typeof RegistrationSchema>;

export const UserRegistrationsSchema = z.object({
  sipUri: SipUriSchema,
  /** Bindings past their expiry at this instant are not listed. */
  asOf: IsoInstantSchema,
  /** In ring order: oldest registration first. */
  registrations: z.array(RegistrationSchema),
});
export type UserRegistrations = z.infer<typeof UserRegistrationsSchema>;
