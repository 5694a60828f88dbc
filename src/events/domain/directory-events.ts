import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { ConfigNameSchema, IsoInstantSchema, SipUriSchema, TelUriSchema } from './primitives.ts';

/** OCS allows up to 64 concurrent endpoints per user; 8 is its default. */
export const MAX_ENDPOINTS_LIMIT = 64;
export const DEFAULT_MAX_ENDPOINTS = 8;

/** A user's directory entry as it stands after the event: provisioned and updated carry all of it. */
const userProfileFields = {
  sipUri: SipUriSchema,
  displayName: z.string().min(1).max(256),
  lineUri: TelUriSchema.nullable(),
  enterpriseVoiceEnabled: z.boolean(),
  dialPlan: ConfigNameSchema.nullable(),
  voicePolicy: ConfigNameSchema.nullable(),
  maxEndpoints: z.number().int().min(1).max(MAX_ENDPOINTS_LIMIT),
};

export const UserProfileSchema = z.strictObject(userProfileFields);
export type UserProfile = z.infer<typeof UserProfileSchema>;

export const directoryEvents = {
  'directory.user_provisioned.v1': z.strictObject({ ...userProfileFields, at: IsoInstantSchema }),
  /** The whole profile after the change, so a projection needs no earlier event to apply it. */
  'directory.user_updated.v1': z.strictObject({ ...userProfileFields, at: IsoInstantSchema }),
  'directory.user_deprovisioned.v1': z.strictObject({
    sipUri: SipUriSchema,
    reason: z.string().max(512).nullable(),
    at: IsoInstantSchema,
  }),
  /**
   * Digest HA1 values (RFC 2617 MD5, RFC 7616/8760 SHA-256) of `user:realm:password`.
   * The password itself never enters the log. An HA1 is still password-equivalent
   * within its realm, so the log must be protected like a credential store.
   */
  'directory.credentials_set.v1': z.strictObject({
    sipUri: SipUriSchema,
    realm: z.string().min(1).max(256),
    ha1Md5: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits'),
    ha1Sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
    at: IsoInstantSchema,
  }),
} as const;

export type DirectoryEvent = EventsOf<typeof directoryEvents>;
