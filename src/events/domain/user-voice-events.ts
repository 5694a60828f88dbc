import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { CallTargetSchema, IsoInstantSchema, SipUriSchema, uniqueList } from './primitives.ts';

/** How long an unanswered call rings before the no-answer forward applies. */
export const NoAnswerSecondsSchema = z.number().int().min(5).max(180);

export const ForwardingSettingsSchema = z.strictObject({
  /** Every call goes here at once; the user's endpoints do not ring. */
  immediate: CallTargetSchema.nullable(),
  noAnswer: z.strictObject({ afterSeconds: NoAnswerSecondsSchema, target: CallTargetSchema }).nullable(),
  busy: CallTargetSchema.nullable(),
  /** No live endpoint to ring. */
  unreachable: CallTargetSchema.nullable(),
});
export type ForwardingSettings = z.infer<typeof ForwardingSettingsSchema>;

export const MAX_SIMULTANEOUS_RING_TARGETS = 10;
export const MAX_DELEGATES = 25;
export const MAX_TEAM_MEMBERS = 25;

/** Per-user Enterprise Voice features; each event carries the complete setting, not a delta. */
export const userVoiceEvents = {
  'voice.forwarding_set.v1': ForwardingSettingsSchema.extend({ sipUri: SipUriSchema, at: IsoInstantSchema }),
  /** Empty targets: simultaneous ring is off. */
  'voice.simultaneous_ring_set.v1': z.strictObject({
    sipUri: SipUriSchema,
    targets: uniqueList(CallTargetSchema, 'targets').max(MAX_SIMULTANEOUS_RING_TARGETS),
    at: IsoInstantSchema,
  }),
  'voice.delegates_set.v1': z.strictObject({
    sipUri: SipUriSchema,
    delegates: uniqueList(SipUriSchema, 'delegates').max(MAX_DELEGATES),
    at: IsoInstantSchema,
  }),
  /** Team members ring `ringAfterSeconds` after the user's own endpoints (0: together). */
  'voice.team_call_set.v1': z.strictObject({
    sipUri: SipUriSchema,
    members: uniqueList(SipUriSchema, 'members').max(MAX_TEAM_MEMBERS),
    ringAfterSeconds: z.number().int().min(0).max(60),
    at: IsoInstantSchema,
  }),
} as const;

export type UserVoiceEvent = EventsOf<typeof userVoiceEvents>;
