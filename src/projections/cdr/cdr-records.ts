import { z } from 'zod';
import { CallEndCauseSchema, CallLegReasonSchema, ForwardReasonSchema } from '../../events/domain/call-events.ts';
import { ModalitySchema } from '../../events/domain/conference-events.ts';

const instant = z.date().transform((d) => d.toISOString());
/** The projection writes instants as the events spelled them (UTC, `…Z`); jsonb keeps them as text. */
const ForwardSchema = z.object({ reason: ForwardReasonSchema, from: z.string(), to: z.string(), at: z.string() });
const TransferSchema = z.object({ by: z.string(), to: z.string(), at: z.string() });
const LegSchema = z.object({ reason: CallLegReasonSchema, onBehalfOf: z.string(), member: z.string(), contacts: z.array(z.string()), at: z.string() });

export const CALL_CDR_COLUMNS = /* sql */ `
  sip_call_id, caller, dialled_string, normalized_number, inbound_gateway, route_kind, route_target, pstn_route, gateway, voice_policy,
  pstn_usage, forwards, transfers, legs, started_at, answered_at, ended_at, end_cause, sip_status, duration_seconds`;

/** A finished call. Only complete rows are read, so the end columns are required. */
export const CallCdrSchema = z
  .object({
    sip_call_id: z.string(),
    caller: z.string(),
    dialled_string: z.string(),
    normalized_number: z.string().nullable(),
    inbound_gateway: z.string().nullable(),
    route_kind: z.enum(['user', 'pstn']).nullable(),
    route_target: z.string().nullable(),
    pstn_route: z.string().nullable(),
    gateway: z.string().nullable(),
    voice_policy: z.string().nullable(),
    pstn_usage: z.string().nullable(),
    forwards: z.array(ForwardSchema),
    transfers: z.array(TransferSchema),
    legs: z.array(LegSchema),
    started_at: instant,
    answered_at: instant.nullable(),
    ended_at: instant,
    end_cause: CallEndCauseSchema,
    sip_status: z.number().int().nullable(),
    duration_seconds: z.number().int(),
  })
  .transform((r) => ({
    kind: 'call' as const,
    id: r.sip_call_id,
    caller: r.caller,
    dialledString: r.dialled_string,
    normalizedNumber: r.normalized_number,
    /** The PSTN gateway the call came in from; null for a call from a user. */
    inboundGateway: r.inbound_gateway,
    routeKind: r.route_kind,
    /** The user the last route rang, or the E.164 number it dialled out to. */
    routeTarget: r.route_target,
    pstnRoute: r.pstn_route,
    gateway: r.gateway,
    voicePolicy: r.voice_policy,
    pstnUsage: r.pstn_usage,
    forwards: r.forwards,
    transfers: r.transfers,
    /** Team-call members and delegates whose phones rang too. */
    legs: r.legs,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    endCause: r.end_cause,
    sipStatus: r.sip_status,
    durationSeconds: r.duration_seconds,
  }));
export type CallCdr = z.output<typeof CallCdrSchema>;

export const CONFERENCE_CDR_COLUMNS = /* sql */ `
  conference_id, organizer, subject, starts_at, ends_at, scheduled_at, activated_at, ended_at, ended_by, participants,
  participant_count, modalities`;

export const ConferenceCdrSchema = z
  .object({
    conference_id: z.string(),
    organizer: z.string(),
    subject: z.string(),
    starts_at: instant,
    ends_at: instant,
    scheduled_at: instant,
    activated_at: instant.nullable(),
    ended_at: instant,
    ended_by: z.string().nullable(),
    participants: z.array(z.string()),
    participant_count: z.number().int(),
    modalities: z.array(ModalitySchema),
  })
  .transform((r) => ({
    kind: 'conference' as const,
    id: r.conference_id,
    organizer: r.organizer,
    subject: r.subject,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    scheduledAt: r.scheduled_at,
    activatedAt: r.activated_at,
    endedAt: r.ended_at,
    endedBy: r.ended_by,
    participants: r.participants,
    participantCount: r.participant_count,
    modalities: r.modalities,
  }));
export type ConferenceCdr = z.output<typeof ConferenceCdrSchema>;

export const IM_SESSION_CDR_COLUMNS = /* sql */ `
  session_id, initiator, participants, participant_count, messages_sent, messages_delivered, messages_failed, started_at,
  ended_at, ended_by, end_reason`;

export const ImSessionCdrSchema = z
  .object({
    session_id: z.string(),
    initiator: z.string(),
    participants: z.array(z.string()),
    participant_count: z.number().int(),
    messages_sent: z.number().int(),
    messages_delivered: z.number().int(),
    messages_failed: z.number().int(),
    started_at: instant,
    ended_at: instant,
    ended_by: z.string().nullable(),
    end_reason: z.string(),
  })
  .transform((r) => ({
    kind: 'im' as const,
    id: r.session_id,
    initiator: r.initiator,
    participants: r.participants,
    participantCount: r.participant_count,
    messagesSent: r.messages_sent,
    /** Per recipient. */
    messagesDelivered: r.messages_delivered,
    messagesFailed: r.messages_failed,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    endedBy: r.ended_by,
    endReason: r.end_reason,
  }));
export type ImSessionCdr = z.output<typeof ImSessionCdrSchema>;
