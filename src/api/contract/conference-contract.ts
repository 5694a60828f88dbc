import { z } from 'zod';
import { ScheduleConferenceSchema } from '../../commands/conference/conference-commands.ts';
import { ConferenceIdSchema } from '../../events/domain/conference-events.ts';
import { LogPositionSchema } from './positions.ts';

/** POST /conferences: schedules a conference; the organizer must be a provisioned user. */
export const CONFERENCES_PATH = '/conferences';

const ScheduleData = ScheduleConferenceSchema.shape.data;

export const ScheduleConferenceRequestSchema = ScheduleData.extend({
  /** Default: a new UUID. Reusing one answers 409 `conference_exists`. */
  conferenceId: ConferenceIdSchema.optional(),
});
export type ScheduleConferenceRequest = z.infer<typeof ScheduleConferenceRequestSchema>;

export const ConferenceScheduledSchema = z.looseObject({
  conferenceId: ConferenceIdSchema,
  position: LogPositionSchema,
  written: z.boolean(),
});
export type ConferenceScheduled = z.infer<typeof ConferenceScheduledSchema>;
