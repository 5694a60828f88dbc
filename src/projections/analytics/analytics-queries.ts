import { z } from 'zod';
import { AvailabilitySchema } from '../../events/domain/availability.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { emptyPresenceRecord } from '../presence/presence-view-state.ts';
import { isoInstantSql, splitByDay } from './analytics-buckets.ts';
import { lapsesBetween } from './presence-lapses.ts';
import { loadInputs } from './presence-analytics-state.ts';

/*
 * The analytics reports, read from the analytics projections' tables. Every
 * report takes a half-open UTC range [from, to): hours and calls by the instant
 * the call started, days by date, conferences by their scheduled start.
 */

type Reader = Pick<SqlClient, 'query'>;

export interface AnalyticsRange {
  /** ISO instant, inclusive. */
  readonly from: string;
  /** ISO instant, exclusive; after `from`. */
  readonly to: string;
}

const count = z.coerce.number().int();
const iso = z.string();

const HourRowSchema = z
  .object({ hour: iso, attempts: count, answered: count, completed: count, talk_seconds: count })
  .transform((r) => ({
    hour: r.hour,
    attempts: r.attempts,
    answered: r.answered,
    /** Answer-seizure ratio: answered / attempts, 0…1 (null for an hour without attempts, which is never listed). */
    answerSeizureRatio: r.attempts === 0 ? null : r.answered / r.attempts,
    completed: r.completed,
    talkSeconds: r.talk_seconds,
  }));
export type CallsHour = z.output<typeof HourRowSchema>;

const SELECT_HOURS = /* sql */ `
SELECT ${isoInstantSql('hour')} AS hour, attempts, answered, completed, talk_seconds::text AS talk_seconds
FROM analytics_calls_hourly WHERE hour >= $1::timestamptz AND hour < $2::timestamptz ORDER BY hour`;

/** Calls per hour with their answer-seizure ratio. */
export async function callsPerHour(client: Reader, range: AnalyticsRange): Promise<CallsHour[]> {
  const { rows } = await client.query(SELECT_HOURS, [range.from, range.to]);
  return rows.map((r) => HourRowSchema.parse(r));
}

const DurationRowSchema = z.object({
  calls: count,
  attempts: count,
  answered: count,
  p50: count.nullable(),
  p90: count.nullable(),
  p99: count.nullable(),
  max: count.nullable(),
  mean: z.coerce.number().nullable(),
});
export type CallDurations = z.output<typeof DurationRowSchema> & { readonly answerSeizureRatio: number | null };

// percentile_disc: a duration some call really had (no interpolation between two calls).
const SELECT_DURATIONS = /* sql */ `
SELECT count(*) FILTER (WHERE answered AND ended) AS calls,
       count(*) AS attempts,
       count(*) FILTER (WHERE answered) AS answered,
       percentile_disc(0.5)  WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE answered AND ended) AS p50,
       percentile_disc(0.9)  WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE answered AND ended) AS p90,
       percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE answered AND ended) AS p99,
       max(duration_seconds) FILTER (WHERE answered AND ended) AS max,
       round(avg(duration_seconds) FILTER (WHERE answered AND ended), 3)::float8 AS mean
FROM analytics_call_facts WHERE started_at >= $1::timestamptz AND started_at < $2::timestamptz`;

/** Duration percentiles (seconds) of the answered, finished calls started in the range, and the range's ASR. */
export async function callDurations(client: Reader, range: AnalyticsRange): Promise<CallDurations> {
  const { rows } = await client.query(SELECT_DURATIONS, [range.from, range.to]);
  const row = DurationRowSchema.parse(rows[0]);
  return { ...row, answerSeizureRatio: row.attempts === 0 ? null : row.answered / row.attempts };
}

export interface TimeInState {
  readonly sipUri: string;
  readonly day: string;
  readonly availability: z.infer<typeof AvailabilitySchema>;
  /** Whole seconds (milliseconds are kept in the table and rounded down here). */
  readonly seconds: number;
}

const DailyRowSchema = z.object({ sip_uri: z.string(), day: z.string(), availability: AvailabilitySchema, millis: count });
const CurrentRowSchema = z.object({ sip_uri: z.string(), availability: AvailabilitySchema, since: iso, checked_at: iso, inputs: z.unknown() });

const SELECT_DAILY = /* sql */ `
SELECT sip_uri, day::text AS day, availability, millis::text AS millis FROM analytics_presence_daily
WHERE ($1::text IS NULL OR sip_uri = $1) AND day >= $2::date AND day < $3::date`;
const SELECT_OPEN = /* sql */ `
SELECT c.sip_uri, c.availability, ${isoInstantSql('c.since')} AS since, ${isoInstantSql('c.checked_at')} AS checked_at, i.inputs
FROM analytics_presence_current c LEFT JOIN analytics_presence_inputs i ON i.sip_uri = c.sip_uri
WHERE ($1::text IS NULL OR c.sip_uri = $1) AND c.since < $2::timestamptz`;

/**
 * Time in each availability per user per UTC day for the days in [from, to)
 * (`from`/`to` are cut to their dates), one user or everyone. The state a user
 * is still in counts up to `asOf` (the caller's "now"), so a report for today
 * grows as the day goes on. Sorted by user, day, availability.
 */
export async function presenceTimeInState(
  client: Reader,
  options: AnalyticsRange & { readonly sipUri?: string; readonly asOf: string },
): Promise<TimeInState[]> {
  const fromDay = options.from.slice(0, 10);
  const toDay = new Date(options.to).toISOString().slice(0, 10);
  const user = options.sipUri ?? null;
  const totals = new Map<string, number>();
  const add = (sipUri: string, day: string, availability: string, millis: number) => {
    if (day < fromDay || day >= toDay || millis <= 0) return;
    const key = JSON.stringify([sipUri, day, availability]);
    totals.set(key, (totals.get(key) ?? 0) + millis);
  };
  for (const raw of (await client.query(SELECT_DAILY, [user, fromDay, toDay])).rows) {
    const r = DailyRowSchema.parse(raw);
    add(r.sip_uri, r.day, r.availability, r.millis);
  }
  for (const raw of (await client.query(SELECT_OPEN, [user, options.asOf])).rows) {
    const r = CurrentRowSchema.parse(raw);
    // The open state, and whatever lapses of the stored inputs ended it before `asOf` without an event yet.
    const inputs = r.inputs === null ? emptyPresenceRecord() : loadInputs(r.inputs);
    let segment = { availability: r.availability, since: r.since };
    for (const change of [...lapsesBetween(inputs, r.availability, r.checked_at, options.asOf), { at: options.asOf, availability: r.availability }]) {
      for (const part of splitByDay(segment.since, change.at)) add(r.sip_uri, part.day, segment.availability, part.millis);
      segment = { availability: change.availability, since: change.at };
    }
  }
  return [...totals]
    .map(([key, millis]) => {
      const [sipUri, day, availability] = JSON.parse(key) as [string, string, TimeInState['availability']];
      return { sipUri, day, availability, seconds: Math.floor(millis / 1000) };
    })
    .sort((a, b) => (a.sipUri + a.day + a.availability < b.sipUri + b.day + b.availability ? -1 : 1));
}

const ImDayRowSchema = z
  .object({ day: z.string(), sip_uri: z.string(), sessions_started: count, messages_sent: count, messages_received: count })
  .transform((r) => ({
    day: r.day,
    sipUri: r.sip_uri,
    sessionsStarted: r.sessions_started,
    messagesSent: r.messages_sent,
    messagesReceived: r.messages_received,
  }));
export type ImVolumeDay = z.output<typeof ImDayRowSchema>;

const SELECT_IM = /* sql */ `
SELECT day::text AS day, sip_uri, sessions_started, messages_sent, messages_received FROM analytics_im_daily
WHERE ($1::text IS NULL OR sip_uri = $1) AND day >= $2::date AND day < $3::date
ORDER BY day, sip_uri COLLATE "C"`;

/** IM volume per user per UTC day for the days in [from, to). */
export async function imVolume(client: Reader, options: AnalyticsRange & { readonly sipUri?: string }): Promise<ImVolumeDay[]> {
  const { rows } = await client.query(SELECT_IM, [options.sipUri ?? null, options.from.slice(0, 10), new Date(options.to).toISOString().slice(0, 10)]);
  return rows.map((r) => ImDayRowSchema.parse(r));
}

const AttendanceRowSchema = z.object({
  conference_id: z.string(),
  organizer: z.string(),
  scheduled_for: iso,
  activated_at: iso.nullable(),
  ended_at: iso.nullable(),
  attendees: count,
  participant: z.string().nullable(),
  first_joined_at: iso.nullable(),
  in_since: iso.nullable(),
  attended_millis: count.nullable(),
  stays: count.nullable(),
});

const SELECT_ATTENDANCE = /* sql */ `
SELECT c.conference_id, c.organizer, ${isoInstantSql('c.scheduled_for')} AS scheduled_for, ${isoInstantSql('c.activated_at')} AS activated_at,
       ${isoInstantSql('c.ended_at')} AS ended_at, c.attendees, a.participant, ${isoInstantSql('a.first_joined_at')} AS first_joined_at,
       ${isoInstantSql('a.in_since')} AS in_since, a.attended_millis::text AS attended_millis, a.stays
FROM analytics_conferences c LEFT JOIN analytics_conference_attendance a ON a.conference_id = c.conference_id
WHERE c.scheduled_for >= $1::timestamptz AND c.scheduled_for < $2::timestamptz
ORDER BY c.scheduled_for, c.conference_id COLLATE "C", a.first_joined_at, a.participant COLLATE "C"`;

export interface ConferenceAttendance {
  readonly conferenceId: string;
  readonly organizer: string;
  readonly scheduledFor: string;
  readonly activatedAt: string | null;
  readonly endedAt: string | null;
  readonly attendees: number;
  /** Sum of the participants' time in, whole seconds. */
  readonly attendedSeconds: number;
  readonly participants: readonly {
    readonly participant: string;
    readonly firstJoinedAt: string;
    readonly stays: number;
    readonly attendedSeconds: number;
    /** Still in at `asOf`. */
    readonly present: boolean;
  }[];
}

/** Attendance of the conferences scheduled to start in [from, to); stays still open count up to `asOf`. */
export async function conferenceAttendance(client: Reader, options: AnalyticsRange & { readonly asOf: string }): Promise<ConferenceAttendance[]> {
  const byId = new Map<string, ConferenceAttendance & { participants: ConferenceAttendance['participants'][number][]; attendedSeconds: number }>();
  for (const raw of (await client.query(SELECT_ATTENDANCE, [options.from, options.to])).rows) {
    const r = AttendanceRowSchema.parse(raw);
    let conference = byId.get(r.conference_id);
    if (!conference) {
      conference = {
        conferenceId: r.conference_id,
        organizer: r.organizer,
        scheduledFor: r.scheduled_for,
        activatedAt: r.activated_at,
        endedAt: r.ended_at,
        attendees: r.attendees,
        attendedSeconds: 0,
        participants: [],
      };
      byId.set(r.conference_id, conference);
    }
    if (r.participant === null || r.first_joined_at === null) continue;
    const open = r.in_since === null ? 0 : Math.max(0, Date.parse(options.asOf) - Date.parse(r.in_since));
    const seconds = Math.floor(((r.attended_millis ?? 0) + open) / 1000);
    conference.participants.push({
      participant: r.participant,
      firstJoinedAt: r.first_joined_at,
      stays: r.stays ?? 0,
      attendedSeconds: seconds,
      present: r.in_since !== null,
    });
    conference.attendedSeconds += seconds;
  }
  return [...byId.values()];
}
