import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { IsoInstantSchema, SipUriSchema } from './primitives.ts';

export const ConferenceIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_" or "-"');
/** `open`: anyone joins; `lobby`: others wait for a presenter to admit them; `locked`: only the organizer. */
export const ConferenceAccessSchema = z.enum(['open', 'locked', 'lobby']);
export type ConferenceAccess = z.infer<typeof ConferenceAccessSchema>;
export const ConferenceRoleSchema = z.enum(['presenter', 'attendee']);
export type ConferenceRole = z.infer<typeof ConferenceRoleSchema>;
export const ModalitySchema = z.enum(['im', 'audio', 'video', 'sharing']);
export type Modality = z.infer<typeof ModalitySchema>;
export const ConferencePinSchema = z.string().regex(/^[0-9]{4,12}$/, 'must be 4-12 digits');

const ref = { conferenceId: ConferenceIdSchema, at: IsoInstantSchema };

export const conferenceEvents = {
  'conference.scheduled.v1': z.strictObject({
    ...ref,
    organizer: SipUriSchema,
    subject: z.string().max(256),
    startsAt: IsoInstantSchema,
    endsAt: IsoInstantSchema,
    access: ConferenceAccessSchema,
    pin: ConferencePinSchema.nullable(),
  }),
  'conference.activated.v1': z.strictObject(ref),
  /** Written per modality: joining audio after IM is a second event for the same participant. */
  'conference.participant_joined.v1': z.strictObject({
    ...ref,
    participant: SipUriSchema,
    role: ConferenceRoleSchema,
    modality: ModalitySchema,
  }),
  'conference.participant_lobbied.v1': z.strictObject({
    ...ref,
    participant: SipUriSchema,
    role: ConferenceRoleSchema,
    modality: ModalitySchema,
  }),
  /** Moves the participant from the lobby into the conference with the role and modality it asked for. */
  'conference.participant_admitted.v1': z.strictObject({
    ...ref,
    participant: SipUriSchema,
    role: ConferenceRoleSchema,
    modality: ModalitySchema,
    admittedBy: SipUriSchema,
  }),
  /** Leaves every modality (or the lobby). `removed`: a presenter put the participant out. */
  'conference.participant_left.v1': z.strictObject({
    ...ref,
    participant: SipUriSchema,
    reason: z.enum(['left', 'removed']),
    by: SipUriSchema,
  }),
  'conference.participant_muted.v1': z.strictObject({ ...ref, participant: SipUriSchema, by: SipUriSchema }),
  'conference.participant_unmuted.v1': z.strictObject({ ...ref, participant: SipUriSchema, by: SipUriSchema }),
  'conference.locked.v1': z.strictObject({ ...ref, by: SipUriSchema }),
  /** `access` is what the conference goes back to. */
  'conference.unlocked.v1': z.strictObject({
    ...ref,
    by: SipUriSchema,
    access: z.enum(['open', 'lobby']),
  }),
  'conference.ended.v1': z.strictObject({ ...ref, by: SipUriSchema.nullable() }),
} as const;

export type ConferenceEvent = EventsOf<typeof conferenceEvents>;
