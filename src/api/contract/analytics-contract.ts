import { z } from 'zod';
import { AvailabilitySchema } from '../../events/domain/availability.ts';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';

/** The analytics reports (src/projections/analytics), by the name the CLI and the path use. */
export const ANALYTICS_REPORTS = ['calls-per-hour', 'call-durations', 'presence-time', 'im-volume', 'conference-attendance'] as const;
export const AnalyticsReportSchema = z.enum(ANALYTICS_REPORTS);
export type AnalyticsReport = z.infer<typeof AnalyticsReportSchema>;

export const analyticsPath = (report: AnalyticsReport): string => `/analytics/${report}`;

/** Longest range one report may cover: a year of hours is ~8,800 rows. */
const MAX_RANGE_DAYS = 366;

/**
 * Every report's query: a half-open UTC range [from, to), optionally one user
 * (presence-time, im-volume), and for the reports that count what is still
 * going on, the instant that counts as "now" (default: the server's clock).
 */
export const AnalyticsQueryFields = {
  from: IsoInstantSchema.describe('inclusive start, ISO-8601 with offset'),
  to: IsoInstantSchema.describe('exclusive end, ISO-8601 with offset; after `from`, at most 366 days later'),
  user: SipUriSchema.optional().describe('only this user (presence-time and im-volume)'),
  asOf: IsoInstantSchema.optional().describe("what counts as now for states still open; default the server's clock"),
};

/** `to` after `from`, and not too far: shared by the route and the CLI. */
export function checkAnalyticsRange(q: { readonly from: string; readonly to: string }, ctx: z.RefinementCtx): void {
  const span = Date.parse(q.to) - Date.parse(q.from);
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`' });
  else if (span > MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `a range covers at most ${MAX_RANGE_DAYS} days` });
}

export const AnalyticsQuerySchema = z.object(AnalyticsQueryFields).superRefine(checkAnalyticsRange);
export type AnalyticsQuery = z.infer<typeof AnalyticsQuerySchema>;

const seconds = z.number().int().min(0);
const ratio = z.number().min(0).max(1).nullable();

export const CallsPerHourSchema = z.object({
  report: z.literal('calls-per-hour'),
  rows: z.array(
    z.object({
      hour: z.string(),
      attempts: z.number().int(),
      answered: z.number().int(),
      answerSeizureRatio: ratio,
      completed: z.number().int(),
      talkSeconds: seconds,
    }),
  ),
});

export const CallDurationsSchema = z.object({
  report: z.literal('call-durations'),
  calls: z.number().int(),
  attempts: z.number().int(),
  answered: z.number().int(),
  answerSeizureRatio: ratio,
  p50: seconds.nullable(),
  p90: seconds.nullable(),
  p99: seconds.nullable(),
  max: seconds.nullable(),
  mean: z.number().nullable(),
});

export const PresenceTimeSchema = z.object({
  report: z.literal('presence-time'),
  asOf: z.string(),
  rows: z.array(z.object({ sipUri: z.string(), day: z.string(), availability: AvailabilitySchema, seconds })),
});

export const ImVolumeSchema = z.object({
  report: z.literal('im-volume'),
  rows: z.array(
    z.object({
      day: z.string(),
      sipUri: z.string(),
      sessionsStarted: z.number().int(),
      messagesSent: z.number().int(),
      messagesReceived: z.number().int(),
    }),
  ),
});

export const ConferenceAttendanceSchema = z.object({
  report: z.literal('conference-attendance'),
  asOf: z.string(),
  rows: z.array(
    z.object({
      conferenceId: z.string(),
      organizer: z.string(),
      scheduledFor: z.string(),
      activatedAt: z.string().nullable(),
      endedAt: z.string().nullable(),
      attendees: z.number().int(),
      attendedSeconds: seconds,
      participants: z.array(
        z.object({ participant: z.string(), firstJoinedAt: z.string(), stays: z.number().int(), attendedSeconds: seconds, present: z.boolean() }),
      ),
    }),
  ),
});

export const AnalyticsAnswerSchema = z.discriminatedUnion('report', [
  CallsPerHourSchema,
  CallDurationsSchema,
  PresenceTimeSchema,
  ImVolumeSchema,
  ConferenceAttendanceSchema,
]);
export type AnalyticsAnswer = z.infer<typeof AnalyticsAnswerSchema>;
