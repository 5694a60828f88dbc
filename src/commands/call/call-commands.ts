import { z } from 'zod';
import {
  CallEndCauseSchema,
  CallLegReasonSchema,
  CallRouteSchema,
  DialledStringSchema,
  ForwardReasonSchema,
  ParkOrbitSchema,
  SipCallIdSchema,
} from '../../events/domain/call-events.ts';
import { CallTargetSchema, ConfigNameSchema, ContactUriSchema, SipUriSchema } from '../../events/domain/primitives.ts';

function command<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data });
}

export const InitiateCallSchema = command(
  'InitiateCall',
  z.strictObject({
    sipCallId: SipCallIdSchema,
    caller: CallTargetSchema,
    dialledString: DialledStringSchema,
    /** The dial plan's result; omitted when a SIP URI was dialled. */
    normalizedNumber: z.string().max(256).optional(),
    /** The PSTN gateway the call came in from; omitted for a call from a user. */
    inboundGateway: ConfigNameSchema.optional(),
  }),
);

export const RouteCallSchema = command('RouteCall', z.strictObject({ route: CallRouteSchema }));

export const MarkCallRingingSchema = command('MarkCallRinging', z.strictObject({ contact: ContactUriSchema.optional() }));

export const AnswerCallSchema = command('AnswerCall', z.strictObject({ contact: ContactUriSchema }));

export const ForwardCallSchema = command(
  'ForwardCall',
  z.strictObject({ reason: ForwardReasonSchema, from: CallTargetSchema, to: CallTargetSchema }),
);

/** A team-call member's or a delegate's phones join the ringing (see `call.leg_added.v1`). */
export const AddCallLegSchema = command(
  'AddCallLeg',
  z.strictObject({
    reason: CallLegReasonSchema,
    onBehalfOf: SipUriSchema,
    member: SipUriSchema,
    contacts: z.array(ContactUriSchema).min(1).max(64),
  }),
);

export const TransferCallSchema = command('TransferCall', z.strictObject({ by: CallTargetSchema, to: CallTargetSchema }));

export const HoldCallSchema = command('HoldCall', z.strictObject({ by: CallTargetSchema }));

export const ResumeCallSchema = command('ResumeCall', z.strictObject({ by: CallTargetSchema }));

/** The orbit is allocated by the caller from the park view: orbits span calls, this aggregate sees one. */
export const ParkCallSchema = command('ParkCall', z.strictObject({ orbit: ParkOrbitSchema, by: CallTargetSchema }));

export const RetrieveCallSchema = command('RetrieveCall', z.strictObject({ orbit: ParkOrbitSchema, by: CallTargetSchema }));

export const EndCallSchema = command(
  'EndCall',
  z.strictObject({ cause: CallEndCauseSchema, sipStatus: z.number().int().min(100).max(699).optional() }),
);

export const CallCommandSchema = z.discriminatedUnion('type', [
  InitiateCallSchema,
  RouteCallSchema,
  MarkCallRingingSchema,
  AnswerCallSchema,
  ForwardCallSchema,
  AddCallLegSchema,
  TransferCallSchema,
  HoldCallSchema,
  ResumeCallSchema,
  ParkCallSchema,
  RetrieveCallSchema,
  EndCallSchema,
]);

export type CallCommand = z.infer<typeof CallCommandSchema>;
export type CallCommandOf<T extends CallCommand['type']> = Extract<CallCommand, { type: T }>;
