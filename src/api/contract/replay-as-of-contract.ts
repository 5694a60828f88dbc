import { z } from 'zod';
import { SipCallIdSchema } from '../../events/domain/call-events.ts';
import { ConferenceIdSchema } from '../../events/domain/conference-events.ts';
import { IsoInstantSchema } from '../../events/domain/primitives.ts';
import { ProposedRoutingConfigSchema } from '../../compliance/what-if/proposed-routing-config.ts';
import { WhatIfResultSchema } from '../../compliance/what-if/what-if-routing.ts';
import { CallAsOfStateSchema, ConferenceAsOfStateSchema, RoutingAsOfStateSchema } from '../../projections/as-of/index.ts';
import { LogPositionSchema } from './positions.ts';

/**
 * As-of reads beyond a user (src/projections/as-of) and what-if routing
 * (src/compliance/what-if). `at` is an ISO-8601 instant with offset; the
 * state is what the log had acknowledged by then (metadata.recordedAt).
 */
export const REPLAY_CONFERENCES_PATH = '/replay/conferences';
export const REPLAY_CALLS_PATH = '/replay/calls';
export const REPLAY_ROUTING_PATH = '/replay/routing';
export const WHATIF_PATH = '/whatif';

export const replayConferencePath = (conferenceId: string): string => `${REPLAY_CONFERENCES_PATH}/${encodeURIComponent(conferenceId)}`;
export const replayCallPath = (sipCallId: string): string => `${REPLAY_CALLS_PATH}/${encodeURIComponent(sipCallId)}`;

export const AtQuerySchema = z.object({ at: IsoInstantSchema });
export type AtQuery = z.infer<typeof AtQuerySchema>;
export const ReplayConferenceParamsSchema = z.object({ conferenceId: ConferenceIdSchema });
/** A call's id in Chorus is its SIP Call-ID (the stream is `call-<Call-ID>`). */
export const ReplayCallParamsSchema = z.object({ callId: SipCallIdSchema });

export const ReplayConferenceResultSchema = z.looseObject({
  conferenceId: z.string(),
  at: IsoInstantSchema,
  position: LogPositionSchema,
  state: ConferenceAsOfStateSchema,
});
export type ReplayConferenceResult = z.infer<typeof ReplayConferenceResultSchema>;

export const ReplayCallResultSchema = z.looseObject({
  sipCallId: z.string(),
  at: IsoInstantSchema,
  position: LogPositionSchema,
  state: CallAsOfStateSchema,
});
export type ReplayCallResult = z.infer<typeof ReplayCallResultSchema>;

export const ReplayRoutingResultSchema = z.looseObject({
  at: IsoInstantSchema,
  position: LogPositionSchema,
  state: RoutingAsOfStateSchema,
});
export type ReplayRoutingResult = z.infer<typeof ReplayRoutingResultSchema>;

/** POST /whatif: read-only (nothing is written); a POST because a proposed configuration travels in the body. */
export const WhatIfRequestSchema = z.strictObject({
  sipCallId: SipCallIdSchema,
  /** Omitted: compare with the current configuration. */
  config: ProposedRoutingConfigSchema.optional(),
});
export type WhatIfRequest = z.infer<typeof WhatIfRequestSchema>;
export { WhatIfResultSchema };
export type WhatIfResultBody = z.infer<typeof WhatIfResultSchema>;
