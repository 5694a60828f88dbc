import { z } from 'zod';
import { ConferenceAccessSchema, ConferenceIdSchema, ModalitySchema } from '../../events/domain/conference-events.ts';
import { IsoInstantSchema } from '../../events/domain/primitives.ts';
import { CONFERENCES_PATH } from './conference-contract.ts';

/** GET /conferences/{id}/roster */
export function conferenceRosterPath(conferenceId: string): string {
  return `${CONFERENCES_PATH}/${encodeURIComponent(conferenceId)}/roster`;
}

export const ConferenceStateSchema = z.enum(['scheduled', 'active', 'ended']);

/** GET /conferences?state= */
export const ConferencesQuerySchema = z.object({
  /** Omitted: every conference. */
  state: ConferenceStateSchema.optional(),
});

export const ConferencePathParamsSchema = z.object({ conferenceId: ConferenceIdSchema });

/** A conference as src/projections/conference-roster keeps it; instants ISO-8601 UTC. */
export const ConferenceSummarySchema = z.object({
  conferenceId: z.string(),
  organizer: z.string(),
  subject: z.string(),
  startsAt: IsoInstantSchema,
  endsAt: IsoInstantSchema,
  access: ConferenceAccessSchema,
  locked: z.boolean(),
  state: ConferenceStateSchema,
  scheduledAt: IsoInstantSchema,
  activatedAt: IsoInstantSchema.nullable(),
  endedAt: IsoInstantSchema.nullable(),
  endedBy: z.string().nullable(),
  updatedAt: IsoInstantSchema,
});

export const RosterParticipantSchema = z.object({
  sipUri: z.string(),
  role: z.enum(['presenter', 'attendee']),
  /** While `inLobby`: the modality asked for. */
  modalities: z.array(ModalitySchema),
  muted: z.boolean(),
  inLobby: z.boolean(),
  lobbiedAt: IsoInstantSchema.nullable(),
  admittedAt: IsoInstantSchema.nullable(),
  admittedBy: z.string().nullable(),
  joinedAt: IsoInstantSchema.nullable(),
  leftAt: IsoInstantSchema.nullable(),
  leftReason: z.enum(['left', 'removed', 'conference_ended']).nullable(),
  leftBy: z.string().nullable(),
});

/** GET /conferences/{id}/roster: everyone in the conference or its lobby now (empty once it ended). */
export const ConferenceRosterSchema = z.object({
  conference: ConferenceSummarySchema,
  participants: z.array(RosterParticipantSchema),
});
export type ConferenceRosterBody = z.infer<typeof ConferenceRosterSchema>;

export const ConferenceListingSchema = ConferenceSummarySchema.extend({
  /** Admitted participants not yet left. */
  participantCount: z.number().int().nonnegative(),
  /** Participants waiting in the lobby. */
  lobbyCount: z.number().int().nonnegative(),
});

/** GET /conferences: by start time. */
export const ConferencesSchema = z.object({ conferences: z.array(ConferenceListingSchema) });
export type Conferences = z.infer<typeof ConferencesSchema>;
