import { z } from 'zod';
import { SipUriSchema } from '../../events/domain/primitives.ts';
import { LegalHoldReasonSchema } from '../../events/domain/privacy-events.ts';

function command<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data });
}

export const PlaceLegalHoldSchema = command('PlaceLegalHold', z.strictObject({ sipUri: SipUriSchema, reason: LegalHoldReasonSchema }));
export const ReleaseLegalHoldSchema = command('ReleaseLegalHold', z.strictObject({ sipUri: SipUriSchema, reason: LegalHoldReasonSchema }));
/** `keyIds`: the live data keys about to be destroyed, read just before the decision. */
export const ForgetUserSchema = command('ForgetUser', z.strictObject({ sipUri: SipUriSchema, keyIds: z.array(z.uuid()).max(1_000) }));

export const PrivacyCommandSchema = z.discriminatedUnion('type', [PlaceLegalHoldSchema, ReleaseLegalHoldSchema, ForgetUserSchema]);
export type PrivacyCommand = z.infer<typeof PrivacyCommandSchema>;
