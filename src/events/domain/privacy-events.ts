import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { IsoInstantSchema, SipUriSchema } from './primitives.ts';

/**
 * Why a hold was placed or released: a case or ticket reference, written by
 * an administrator. It is kept in clear on purpose (a hold must be
 * explainable after the user is gone), so it must not hold personal data.
 */
export const LegalHoldReasonSchema = z.string().trim().min(1).max(512);

/**
 * GDPR erasure and legal hold (docs/privacy.md). They live in the stream
 * `privacy-<aor>`, apart from the user's own stream, so a hold can be placed
 * on a deprovisioned user and the user decider needs no change.
 */
export const privacyEvents = {
  'privacy.legal_hold_placed.v1': z.strictObject({ sipUri: SipUriSchema, reason: LegalHoldReasonSchema, at: IsoInstantSchema }),
  'privacy.legal_hold_released.v1': z.strictObject({ sipUri: SipUriSchema, reason: LegalHoldReasonSchema, at: IsoInstantSchema }),
  /**
   * The user's data keys were destroyed: every personal field sealed with them
   * now reads as an erased placeholder. Carries no personal data beyond the
   * address of record, which stream ids keep anyway.
   */
  'privacy.user_forgotten.v1': z.strictObject({
    sipUri: SipUriSchema,
    /** Ids of the data keys destroyed (none when the user never had personal data sealed). */
    keyIds: z.array(z.uuid()).max(1_000),
    at: IsoInstantSchema,
  }),
} as const;

export type PrivacyEvent = EventsOf<typeof privacyEvents>;
