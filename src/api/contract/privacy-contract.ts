import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { LegalHoldReasonSchema } from '../../events/domain/privacy-events.ts';
import { WriteAcceptedSchema } from './write-contract.ts';
import { USERS_PATH } from './users-contract.ts';

/**
 * Wire contract of GDPR erasure and legal hold (docs/privacy.md), shared by
 * the route plugin and the CLI client.
 */

/** `/users/{sipUri}/forget` and `/users/{sipUri}/legal-hold`, the URI percent-encoded into one segment. */
export function privacyPath(sipUri: string, sub: 'forget' | 'legal-hold'): string {
  return `${USERS_PATH}/${encodeURIComponent(sipUri)}/${sub}`;
}

export const PrivacyPathParamsSchema = z.object({ sipUri: SipUriSchema });

/** POST /users/{sipUri}/legal-hold */
export const PlaceLegalHoldRequestSchema = z.strictObject({ reason: LegalHoldReasonSchema });
export type PlaceLegalHoldRequest = z.infer<typeof PlaceLegalHoldRequestSchema>;

/** DELETE /users/{sipUri}/legal-hold?reason=… */
export const ReleaseLegalHoldQuerySchema = z.object({ reason: LegalHoldReasonSchema });

/** 200 answer to POST /users/{sipUri}/forget. */
export const ForgetAcceptedSchema = WriteAcceptedSchema.extend({
  /** Data keys destroyed by this request; 0 when the user had none left. */
  keysDestroyed: z.number().int().min(0),
}).meta({ id: 'ForgetAccepted' });
export type ForgetAccepted = z.infer<typeof ForgetAcceptedSchema>;

/** GET /users/{sipUri}/legal-hold */
export const PrivacyStatusSchema = z
  .object({
    sipUri: SipUriSchema,
    hold: z.object({ reason: z.string(), since: IsoInstantSchema }).nullable(),
    forgottenAt: IsoInstantSchema.nullable(),
  })
  .meta({ id: 'PrivacyStatus' });
export type PrivacyStatusAnswer = z.infer<typeof PrivacyStatusSchema>;
