import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { BatchRows, bulkUpsertSql, defineSqlProjection, type BulkTable } from '../framework/index.ts';
import { isoInstantSql, millisBetween } from './analytics-buckets.ts';

/**
 * Conference attendance: per conference and participant, how long they were
 * in (from joining or being admitted — the lobby does not count — to leaving
 * or the conference's end) and how many times they came in; per conference,
 * its organizer, when it ran, and its distinct attendees. Joining a second
 * modality while in does not start a new stay.
 */
export const CONFERENCE_ANALYTICS_TABLES = ['analytics_conferences', 'analytics_conference_attendance'] as const;

const CREATE = /* sql */ `
CREATE TABLE analytics_conferences (
  conference_id text        PRIMARY KEY,
  organizer     text        NOT NULL,
  scheduled_for timestamptz NOT NULL,
  activated_at  timestamptz,
  ended_at      timestamptz,
  attendees     integer     NOT NULL
);
CREATE TABLE analytics_conference_attendance (
  conference_id   text        NOT NULL,
  participant     text        NOT NULL,
  first_joined_at timestamptz NOT NULL,
  in_since        timestamptz,
  attended_millis bigint      NOT NULL,
  stays           integer     NOT NULL,
  PRIMARY KEY (conference_id, participant)
);`;

const CONFERENCES: BulkTable = {
  name: 'analytics_conferences',
  columns: {
    conference_id: 'text',
    organizer: 'text',
    scheduled_for: 'timestamptz',
    activated_at: 'timestamptz',
    ended_at: 'timestamptz',
    attendees: 'integer',
  },
  key: ['conference_id'],
};
const ATTENDANCE: BulkTable = {
  name: 'analytics_conference_attendance',
  columns: {
    conference_id: 'text',
    participant: 'text',
    first_joined_at: 'timestamptz',
    in_since: 'timestamptz',
    attended_millis: 'bigint',
    stays: 'integer',
  },
  key: ['conference_id', 'participant'],
};
const UPSERT_CONFERENCES = bulkUpsertSql(CONFERENCES);
const UPSERT_ATTENDANCE = bulkUpsertSql(ATTENDANCE);
const SELECT_CONFERENCES = /* sql */ `
SELECT conference_id, organizer, ${isoInstantSql('scheduled_for')} AS scheduled_for, ${isoInstantSql('activated_at')} AS activated_at,
       ${isoInstantSql('ended_at')} AS ended_at, attendees
FROM analytics_conferences WHERE conference_id = ANY($1::text[])`;
const SELECT_ATTENDANCE = /* sql */ `
SELECT conference_id, participant, ${isoInstantSql('first_joined_at')} AS first_joined_at, ${isoInstantSql('in_since')} AS in_since,
       attended_millis::text AS attended_millis, stays
FROM analytics_conference_attendance WHERE conference_id = ANY($1::text[])`;

type ConferenceAnalyticsEventType =
  | 'conference.scheduled.v1'
  | 'conference.activated.v1'
  | 'conference.participant_joined.v1'
  | 'conference.participant_admitted.v1'
  | 'conference.participant_left.v1'
  | 'conference.ended.v1';

type Row = Record<string, unknown>;
const attendanceKey = (conferenceId: string, participant: string): string => JSON.stringify([conferenceId, participant]);
const canonical = (iso: string): string => new Date(iso).toISOString();

export const conferenceAnalyticsProjection = defineSqlProjection<DomainEvent, ConferenceAnalyticsEventType>({
  name: 'analytics_conferences',
  version: 1,
  tables: CONFERENCE_ANALYTICS_TABLES,
  schema: CREATE,
  canHandle: [
    'conference.scheduled.v1',
    'conference.activated.v1',
    'conference.participant_joined.v1',
    'conference.participant_admitted.v1',
    'conference.participant_left.v1',
    'conference.ended.v1',
  ],
  async handle(events, tx) {
    const ids = new Set(events.map((e) => e.data.conferenceId));
    const conferences = new BatchRows('analytics_conferences: conference');
    await conferences.load(tx, SELECT_CONFERENCES, ids);
    // Whole conferences' attendance: the end closes every stay still open.
    const attendance = new BatchRows('analytics_conferences: attendance', (row) =>
      attendanceKey(String(row['conference_id']), String(row['participant'])),
    );
    await attendance.load(tx, SELECT_ATTENDANCE, ids);

    const leave = (row: Row, at: string) => {
      if (row['in_since'] === null) return;
      row['attended_millis'] = Number(row['attended_millis']) + millisBetween(String(row['in_since']), at);
      row['in_since'] = null;
    };

    for (const e of events) {
      const at = canonical(e.data.at);
      const id = e.data.conferenceId;
      switch (e.type) {
        case 'conference.scheduled.v1':
          conferences.insert(id, {
            conference_id: id,
            organizer: e.data.organizer,
            scheduled_for: canonical(e.data.startsAt),
            activated_at: null,
            ended_at: null,
            attendees: 0,
          });
          break;
        case 'conference.activated.v1':
          conferences.update(id, e.type, (row) => (row['activated_at'] ??= at));
          break;
        case 'conference.participant_joined.v1':
        case 'conference.participant_admitted.v1': {
          const participant = e.data.participant;
          let first = false;
          attendance.upsert(
            attendanceKey(id, participant),
            () => {
              first = true;
              return { conference_id: id, participant, first_joined_at: at, in_since: null, attended_millis: 0, stays: 0 };
            },
            (row) => {
              if (row['in_since'] !== null) return;
              row['in_since'] = at;
              row['stays'] = Number(row['stays']) + 1;
            },
          );
          if (first) conferences.update(id, e.type, (row) => (row['attendees'] = Number(row['attendees']) + 1));
          break;
        }
        case 'conference.participant_left.v1': {
          // Leaving the lobby: never in, nothing to close.
          const row = attendance.get(attendanceKey(id, e.data.participant));
          if (row) attendance.update(attendanceKey(id, e.data.participant), e.type, (r) => leave(r, at));
          break;
        }
        case 'conference.ended.v1':
          conferences.update(id, e.type, (row) => (row['ended_at'] = at), true);
          for (const row of attendance.values())
            if (row['conference_id'] === id && row['in_since'] !== null)
              attendance.update(attendanceKey(id, String(row['participant'])), e.type, (r) => leave(r, at));
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`analytics_conferences: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
    await conferences.write(tx, UPSERT_CONFERENCES);
    await attendance.write(tx, UPSERT_ATTENDANCE);
  },
});
