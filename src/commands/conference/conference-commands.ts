import { z } from 'zod';
import {
  ConferenceAccessSchema,
  ConferenceIdSchema,
  ConferencePinSchema,
  ConferenceRoleSchema,
  ModalitySchema,
} from '../../events/domain/conference-events.ts';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';

function command<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data });
}

export const ScheduleConferenceSchema = command(
  'ScheduleConference',
  z.strictObject({
    conferenceId: ConferenceIdSchema,
    organizer: SipUriSchema,
    subject: z.string().max(256).optional(),
    startsAt: IsoInstantSchema,
    endsAt: IsoInstantSchema,
    /** Default `open`. */
    access: ConferenceAccessSchema.optional(),
    /** For dial-in; a correct PIN also lets a caller past the lobby. */
    pin: ConferencePinSchema.optional(),
  }),
);

export const ActivateConferenceSchema = command('ActivateConference', z.strictObject({}));

/** Joining a scheduled conference activates it; the organizer always joins as presenter. */
export const JoinConferenceSchema = command(
  'JoinConference',
  z.strictObject({
    participant: SipUriSchema,
    role: ConferenceRoleSchema,
    modality: ModalitySchema,
    pin: ConferencePinSchema.optional(),
  }),
);

export const AdmitParticipantSchema = command(
  'AdmitParticipant',
  z.strictObject({ participant: SipUriSchema, by: SipUriSchema }),
);

/** `by` other than the participant is a presenter removing them (or denying them the lobby). */
export const LeaveConferenceSchema = command(
  'LeaveConference',
  z.strictObject({ participant: SipUriSchema, by: SipUriSchema.optional() }),
);

export const MuteParticipantSchema = command(
  'MuteParticipant',
  z.strictObject({ participant: SipUriSchema, by: SipUriSchema }),
);

export const UnmuteParticipantSchema = command(
  'UnmuteParticipant',
  z.strictObject({ participant: SipUriSchema, by: SipUriSchema }),
);

export const LockConferenceSchema = command('LockConference', z.strictObject({ by: SipUriSchema }));

export const UnlockConferenceSchema = command(
  'UnlockConference',
  z.strictObject({
    by: SipUriSchema,
    /** What the conference goes back to; default `open`. */
    access: z.enum(['open', 'lobby']).optional(),
  }),
);

export const EndConferenceSchema = command('EndConference', z.strictObject({ by: SipUriSchema.optional() }));

export const ConferenceCommandSchema = z.discriminatedUnion('type', [
  ScheduleConferenceSchema,
  ActivateConferenceSchema,
  JoinConferenceSchema,
  AdmitParticipantSchema,
  LeaveConferenceSchema,
  MuteParticipantSchema,
  UnmuteParticipantSchema,
  LockConferenceSchema,
  UnlockConferenceSchema,
  EndConferenceSchema,
]);

export type ConferenceCommand = z.infer<typeof ConferenceCommandSchema>;
export type ConferenceCommandOf<T extends ConferenceCommand['type']> = Extract<ConferenceCommand, { type: T }>;
