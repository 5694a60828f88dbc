import { z } from 'zod';

const instant = z.date().transform((d) => d.toISOString());
const Modality = z.enum(['im', 'audio', 'video', 'sharing']);

export const CONFERENCE_COLUMNS = /* sql */ `
  c.conference_id, c.organizer, c.subject, c.starts_at, c.ends_at, c.access, c.locked, c.state, c.scheduled_at,
  c.activated_at, c.ended_at, c.ended_by, c.updated_at`;

/** A conference as the HTTP API returns it; instants as ISO-8601 UTC strings. */
export const ConferenceRowSchema = z
  .object({
    conference_id: z.string(),
    organizer: z.string(),
    subject: z.string(),
    starts_at: instant,
    ends_at: instant,
    access: z.enum(['open', 'locked', 'lobby']),
    locked: z.boolean(),
    state: z.enum(['scheduled', 'active', 'ended']),
    scheduled_at: instant,
    activated_at: instant.nullable(),
    ended_at: instant.nullable(),
    ended_by: z.string().nullable(),
    updated_at: instant,
  })
  .transform((r) => ({
    conferenceId: r.conference_id,
    organizer: r.organizer,
    subject: r.subject,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    access: r.access,
    locked: r.locked,
    state: r.state,
    scheduledAt: r.scheduled_at,
    activatedAt: r.activated_at,
    endedAt: r.ended_at,
    endedBy: r.ended_by,
    updatedAt: r.updated_at,
  }));

export type ConferenceSummary = z.output<typeof ConferenceRowSchema>;

export const PARTICIPANT_COLUMNS = /* sql */ `
  participant, role, modalities, muted, in_lobby, lobbied_at, admitted_at, admitted_by, joined_at, left_at, left_reason,
  left_by`;

export const ParticipantRowSchema = z
  .object({
    participant: z.string(),
    role: z.enum(['presenter', 'attendee']),
    modalities: z.array(Modality),
    muted: z.boolean(),
    in_lobby: z.boolean(),
    lobbied_at: instant.nullable(),
    admitted_at: instant.nullable(),
    admitted_by: z.string().nullable(),
    joined_at: instant.nullable(),
    left_at: instant.nullable(),
    left_reason: z.enum(['left', 'removed', 'conference_ended']).nullable(),
    left_by: z.string().nullable(),
  })
  .transform((r) => ({
    sipUri: r.participant,
    role: r.role,
    /** While `inLobby`: the modality asked for. */
    modalities: r.modalities,
    muted: r.muted,
    inLobby: r.in_lobby,
    lobbiedAt: r.lobbied_at,
    admittedAt: r.admitted_at,
    admittedBy: r.admitted_by,
    joinedAt: r.joined_at,
    leftAt: r.left_at,
    leftReason: r.left_reason,
    leftBy: r.left_by,
  }));

export type RosterParticipant = z.output<typeof ParticipantRowSchema>;
