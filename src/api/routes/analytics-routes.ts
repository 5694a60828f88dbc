import {
  callDurations,
  callsPerHour,
  conferenceAttendance,
  imVolume,
  presenceTimeInState,
} from '../../projections/analytics/index.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import {
  ANALYTICS_REPORTS,
  AnalyticsQuerySchema,
  analyticsPath,
  CallDurationsSchema,
  CallsPerHourSchema,
  ConferenceAttendanceSchema,
  ImVolumeSchema,
  PresenceTimeSchema,
  type AnalyticsAnswer,
  type AnalyticsQuery,
  type AnalyticsReport,
} from '../contract/analytics-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface AnalyticsRoutesOptions {
  /** The read-model database holding the analytics projections. */
  readonly client: Pick<SqlClient, 'query'>;
  /** "Now" for states still open when the query names no `asOf`. */
  readonly clock: () => Date;
}

const ANSWERS = {
  'calls-per-hour': CallsPerHourSchema,
  'call-durations': CallDurationsSchema,
  'presence-time': PresenceTimeSchema,
  'im-volume': ImVolumeSchema,
  'conference-attendance': ConferenceAttendanceSchema,
} as const satisfies Record<AnalyticsReport, unknown>;

const SUMMARIES: Record<AnalyticsReport, string> = {
  'calls-per-hour': 'Calls started per UTC hour, answered, completed, talk time and answer-seizure ratio',
  'call-durations': 'Duration percentiles (p50/p90/p99, seconds) of the answered calls started in the range, and its ASR',
  'presence-time': 'Time in each availability per user per UTC day (the state a user is still in counts up to asOf)',
  'im-volume': 'IM sessions started, messages sent and messages received per user per UTC day',
  'conference-attendance': 'Attendees and time in per participant of the conferences scheduled to start in the range',
};

/** Runs one report against the analytics read models. */
export async function answerAnalytics(
  client: Pick<SqlClient, 'query'>,
  report: AnalyticsReport,
  query: AnalyticsQuery,
  now: () => Date,
): Promise<AnalyticsAnswer> {
  const range = { from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString() };
  const asOf = new Date(query.asOf ?? now()).toISOString();
  const user = query.user === undefined ? {} : { sipUri: query.user };
  switch (report) {
    case 'calls-per-hour':
      return { report, rows: await callsPerHour(client, range) };
    case 'call-durations':
      return { report, ...(await callDurations(client, range)) };
    case 'presence-time':
      return { report, asOf, rows: await presenceTimeInState(client, { ...range, ...user, asOf }) };
    case 'im-volume':
      return { report, rows: await imVolume(client, { ...range, ...user }) };
    case 'conference-attendance':
      return { report, asOf, rows: (await conferenceAttendance(client, { ...range, asOf })).map((c) => ({ ...c, participants: [...c.participants] })) };
    default: {
      const unreachable: never = report;
      throw new Error(`unknown analytics report ${String(unreachable)}`);
    }
  }
}

/** GET /analytics/{report}?from=&to=[&user=][&asOf=]: the analytics read models (issue 6). */
export function analyticsRoutes({ client, clock }: AnalyticsRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    for (const report of ANALYTICS_REPORTS) {
      app.get(
        analyticsPath(report),
        {
          schema: {
            summary: SUMMARIES[report],
            description: 'Half-open UTC range [from, to); `to` must be after `from` (400 otherwise, with the issue path).',
            tags: ['analytics'],
            querystring: AnalyticsQuerySchema,
            response: { 200: ANSWERS[report], 400: QUERY_ERROR_RESPONSES[400], 401: QUERY_ERROR_RESPONSES[401] },
          },
        },
        async (request) => answerAnalytics(client, report, request.query, clock),
      );
    }
  };
}
