import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import {
  CallTargetSchema,
  ConfigNameSchema,
  ContactUriSchema,
  IsoInstantSchema,
  PstnUsageSchema,
  SipUriSchema,
} from './primitives.ts';

/**
 * A SIP Call-ID (`word [ "@" word ]`, RFC 3261 §25.1): printable, no spaces.
 * 400 characters at most because it is the id of the call's stream.
 */
export const SipCallIdSchema = z.string().regex(/^[\x21-\x7e]{1,400}$/, 'must be 1-400 printable characters without spaces');
export const ParkOrbitSchema = z.string().regex(/^[0-9*#]{1,16}$/, 'must be 1-16 dial-pad characters');
/** What a party dialled, as typed: digits, `+`, a SIP URI, … */
export const DialledStringSchema = z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable characters');

export const CallEndCauseSchema = z.enum([
  'completed',
  'cancelled',
  'rejected',
  'busy',
  'no_answer',
  'unreachable',
  'no_route',
  'failed',
]);
export type CallEndCause = z.infer<typeof CallEndCauseSchema>;
export const ForwardReasonSchema = z.enum(['immediate', 'no_answer', 'busy', 'unreachable']);
export type ForwardReason = z.infer<typeof ForwardReasonSchema>;
/** Why another user's phones ring alongside the callee's: their team-call group, or their delegates. */
export const CallLegReasonSchema = z.enum(['team_call', 'delegate']);
export type CallLegReason = z.infer<typeof CallLegReasonSchema>;

const ref = { sipCallId: SipCallIdSchema, at: IsoInstantSchema };

export const CallRouteSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('user'),
    target: SipUriSchema,
    /** The live contacts that will be forked to, in ring order. */
    contacts: z.array(ContactUriSchema).min(1).max(64),
  }),
  z.strictObject({
    kind: z.literal('pstn'),
    number: z.string().regex(/^\+[1-9][0-9]{1,14}$/, 'must be E.164'),
    routeName: ConfigNameSchema,
    /** The gateway tried first; the others in `gateways` are failover, in order. */
    gateway: ConfigNameSchema,
    gateways: z.array(ConfigNameSchema).min(1),
    voicePolicy: ConfigNameSchema,
    pstnUsage: PstnUsageSchema,
  }).refine((r) => r.gateways.includes(r.gateway), { message: 'gateway must be one of gateways' }),
]);
export type CallRoute = z.infer<typeof CallRouteSchema>;

export const callEvents = {
  'call.initiated.v1': z.strictObject({
    ...ref,
    caller: CallTargetSchema,
    dialledString: DialledStringSchema,
    /** The dial plan's result (E.164 usually); null when a SIP URI was dialled. */
    normalizedNumber: z.string().max(256).nullable(),
    /** Set when the call came in from this PSTN gateway (trusted by its address, not challenged); absent otherwise. */
    inboundGateway: ConfigNameSchema.optional(),
  }),
  'call.routed.v1': z.strictObject({ ...ref, route: CallRouteSchema }),
  'call.ringing.v1': z.strictObject({ ...ref, contact: ContactUriSchema.nullable() }),
  'call.answered.v1': z.strictObject({ ...ref, contact: ContactUriSchema }),
  /** The callee's forwarding sent the call on; it must be routed again. */
  'call.forwarded.v1': z.strictObject({
    ...ref,
    reason: ForwardReasonSchema,
    from: CallTargetSchema,
    to: CallTargetSchema,
  }),
  /**
   * While the callee's phones ring, another user's ring too, on the callee's
   * behalf: a team-call member (at once or after the configured delay) or a
   * delegate. The answer's contact tells whose phone took the call.
   */
  'call.leg_added.v1': z.strictObject({
    ...ref,
    reason: CallLegReasonSchema,
    onBehalfOf: SipUriSchema,
    member: SipUriSchema,
    contacts: z.array(ContactUriSchema).min(1).max(64),
  }),
  /** A blind transfer (REFER): the answered call must be routed to `to`. */
  'call.transferred.v1': z.strictObject({ ...ref, by: CallTargetSchema, to: CallTargetSchema }),
  'call.held.v1': z.strictObject({ ...ref, by: CallTargetSchema }),
  'call.resumed.v1': z.strictObject({ ...ref, by: CallTargetSchema }),
  'call.parked.v1': z.strictObject({ ...ref, orbit: ParkOrbitSchema, by: CallTargetSchema }),
  'call.retrieved.v1': z.strictObject({ ...ref, orbit: ParkOrbitSchema, by: CallTargetSchema }),
  'call.ended.v1': z.strictObject({
    ...ref,
    cause: CallEndCauseSchema,
    sipStatus: z.number().int().min(100).max(699).nullable(),
    /** Whole seconds from answer to end; 0 for a call never answered. */
    durationSeconds: z.number().int().min(0),
  }),
} as const;

export type CallEvent = EventsOf<typeof callEvents>;
