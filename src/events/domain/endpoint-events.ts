import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import {
  ContactUriSchema,
  IsoInstantSchema,
  OpaqueIdSchema,
  SipTransportSchema,
  SipUriSchema,
  SourceAddressSchema,
} from './primitives.ts';

/** RFC 5626 `+sip.instance`, usually `<urn:uuid:…>`; kept verbatim. */
export const InstanceIdSchema = z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable characters');

const bindingFields = {
  sipUri: SipUriSchema,
  /** Minted by Chorus when the binding is first registered; stable across refreshes. */
  endpointId: OpaqueIdSchema,
  contact: ContactUriSchema,
  transport: SipTransportSchema,
  sourceAddress: SourceAddressSchema,
  userAgent: z.string().max(512).nullable(),
  expiresAt: IsoInstantSchema,
  at: IsoInstantSchema,
};

export const endpointEvents = {
  'endpoint.registered.v1': z.strictObject({ ...bindingFields, instanceId: InstanceIdSchema.nullable() }),
  /** A re-REGISTER of a live binding: same endpoint, new expiry (contact or source may have moved). */
  'endpoint.refreshed.v1': z.strictObject(bindingFields),
  'endpoint.unregistered.v1': z.strictObject({
    sipUri: SipUriSchema,
    endpointId: OpaqueIdSchema,
    contact: ContactUriSchema,
    at: IsoInstantSchema,
  }),
  /**
   * Written when Chorus notices a binding outlived its expiry. Projections never
   * read the clock, so a binding only leaves the read models through this event.
   */
  'endpoint.expired.v1': z.strictObject({
    sipUri: SipUriSchema,
    endpointId: OpaqueIdSchema,
    contact: ContactUriSchema,
    expiredAt: IsoInstantSchema,
    at: IsoInstantSchema,
  }),
} as const;

export type EndpointEvent = EventsOf<typeof endpointEvents>;
