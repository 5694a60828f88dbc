import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';

/**
 * Conferences and who is in them (`conference-<id>` streams). A participant
 * has one row per conference; leaving keeps the row (with `left_at`) so the
 * roster's history stays queryable, and joining again starts it afresh, as the
 * decider does (a rejoin is unmuted, with only the modality it joined with).
 */
export const CONFERENCE_ROSTER_TABLES = ['conferences', 'conference_participants'] as const;

const CREATE_CONFERENCE_ROSTER = /* sql */ `
CREATE TABLE conferences (
  conference_id text        PRIMARY KEY,
  organizer     text        NOT NULL,
  subject       text        NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  -- What applies now: 'locked' while locked, else the open/lobby rule it was scheduled or unlocked with.
  access        text        NOT NULL CHECK (access IN ('open', 'locked', 'lobby')),
  locked        boolean     NOT NULL,
  state         text        NOT NULL CHECK (state IN ('scheduled', 'active', 'ended')),
  scheduled_at  timestamptz NOT NULL,
  activated_at  timestamptz,
  ended_at      timestamptz,
  ended_by      text,
  updated_at    timestamptz NOT NULL
);
CREATE TABLE conference_participants (
  conference_id text        NOT NULL REFERENCES conferences (conference_id),
  participant   text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('presenter', 'attendee')),
  -- In join order. While in the lobby: the modality the participant asked to join with.
  modalities    text[]      NOT NULL,
  muted         boolean     NOT NULL,
  in_lobby      boolean     NOT NULL,
  lobbied_at    timestamptz,
  admitted_at   timestamptz,
  admitted_by   text,
  -- Null while waiting in the lobby.
  joined_at     timestamptz,
  left_at       timestamptz,
  left_reason   text        CHECK (left_reason IN ('left', 'removed', 'conference_ended')),
  left_by       text,
  PRIMARY KEY (conference_id, participant)
);`;

const INSERT_CONFERENCE = /* sql */ `
INSERT INTO conferences (conference_id, organizer, subject, starts_at, ends_at, access, locked, state, scheduled_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6 = 'locked', 'scheduled', $7, $7)`;

const ACTIVATE = /* sql */ `
UPDATE conferences SET state = 'active', activated_at = $2, updated_at = $2
WHERE conference_id = $1 RETURNING conference_id`;

const SET_ACCESS = /* sql */ `
UPDATE conferences SET access = $2, locked = $2 = 'locked', updated_at = $3
WHERE conference_id = $1 RETURNING conference_id`;

const END_CONFERENCE = /* sql */ `
UPDATE conferences SET state = 'ended', ended_at = $2, ended_by = $3, updated_at = $2
WHERE conference_id = $1 RETURNING conference_id`;

/** Ending a conference puts everyone still in it (or in its lobby) out. */
const END_PARTICIPATIONS = /* sql */ `
UPDATE conference_participants
SET left_at = $2, left_reason = 'conference_ended', left_by = $3, in_lobby = false
WHERE conference_id = $1 AND left_at IS NULL`;

const SELECT_PARTICIPATION = /* sql */ `
SELECT modalities, in_lobby, left_at FROM conference_participants WHERE conference_id = $1 AND participant = $2`;

/** A new participation (first join, join after leaving, or lobby entry) replaces any earlier one. */
const START_PARTICIPATION = /* sql */ `
INSERT INTO conference_participants
  (conference_id, participant, role, modalities, muted, in_lobby, lobbied_at, admitted_at, admitted_by, joined_at,
   left_at, left_reason, left_by)
VALUES ($1, $2, $3, ARRAY[$4::text], false, $5, $6, NULL, NULL, $7, NULL, NULL, NULL)
ON CONFLICT (conference_id, participant) DO UPDATE SET
  role = EXCLUDED.role, modalities = EXCLUDED.modalities, muted = false, in_lobby = EXCLUDED.in_lobby,
  lobbied_at = EXCLUDED.lobbied_at, admitted_at = NULL, admitted_by = NULL, joined_at = EXCLUDED.joined_at,
  left_at = NULL, left_reason = NULL, left_by = NULL`;

const ADD_MODALITY = /* sql */ `
UPDATE conference_participants SET modalities = array_append(modalities, $3::text)
WHERE conference_id = $1 AND participant = $2 AND NOT ($3::text = ANY (modalities))`;

const ADMIT = /* sql */ `
UPDATE conference_participants
SET role = $3, modalities = ARRAY[$4::text], in_lobby = false, admitted_at = $5, admitted_by = $6, joined_at = $5
WHERE conference_id = $1 AND participant = $2 AND in_lobby AND left_at IS NULL
RETURNING participant`;

const LEAVE = /* sql */ `
UPDATE conference_participants SET left_at = $3, left_reason = $4, left_by = $5, in_lobby = false
WHERE conference_id = $1 AND participant = $2 AND left_at IS NULL
RETURNING participant`;

const SET_MUTED = /* sql */ `
UPDATE conference_participants SET muted = $3
WHERE conference_id = $1 AND participant = $2 AND left_at IS NULL AND NOT in_lobby
RETURNING participant`;

/** Statements that must touch exactly one row; anything else means the log contradicts the decider. */
async function updateOne(tx: SqlTransaction, sql: string, params: readonly unknown[], what: string): Promise<void> {
  const { rows } = await tx.query(sql, params);
  if (rows.length !== 1) throw new Error(`conference roster: ${what} (conference ${String(params[0])}) matches no row`);
}

async function join(tx: SqlTransaction, conferenceId: string, participant: string, role: string, modality: string, at: string) {
  const { rows } = await tx.query<{ in_lobby: boolean; left_at: unknown }>(SELECT_PARTICIPATION, [conferenceId, participant]);
  const current = rows[0];
  if (current && current.left_at === null && !current.in_lobby) {
    // Already in: joining audio after IM adds a modality; the role stays.
    await tx.query(ADD_MODALITY, [conferenceId, participant, modality]);
    return;
  }
  await tx.query(START_PARTICIPATION, [conferenceId, participant, role, modality, false, null, at]);
}

type ConferenceEventType =
  | 'conference.scheduled.v1'
  | 'conference.activated.v1'
  | 'conference.participant_joined.v1'
  | 'conference.participant_lobbied.v1'
  | 'conference.participant_admitted.v1'
  | 'conference.participant_left.v1'
  | 'conference.participant_muted.v1'
  | 'conference.participant_unmuted.v1'
  | 'conference.locked.v1'
  | 'conference.unlocked.v1'
  | 'conference.ended.v1';

export const conferenceRosterProjection = defineSqlProjection<DomainEvent, ConferenceEventType>({
  name: 'conference_roster',
  version: 1,
  tables: CONFERENCE_ROSTER_TABLES,
  schema: CREATE_CONFERENCE_ROSTER,
  canHandle: [
    'conference.scheduled.v1',
    'conference.activated.v1',
    'conference.participant_joined.v1',
    'conference.participant_lobbied.v1',
    'conference.participant_admitted.v1',
    'conference.participant_left.v1',
    'conference.participant_muted.v1',
    'conference.participant_unmuted.v1',
    'conference.locked.v1',
    'conference.unlocked.v1',
    'conference.ended.v1',
  ],
  async handle(events, tx) {
    for (const e of events) {
      const { conferenceId: id, at } = e.data;
      switch (e.type) {
        case 'conference.scheduled.v1': {
          const d = e.data;
          await tx.query(INSERT_CONFERENCE, [id, d.organizer, d.subject, d.startsAt, d.endsAt, d.access, at]);
          break;
        }
        case 'conference.activated.v1':
          await updateOne(tx, ACTIVATE, [id, at], e.type);
          break;
        case 'conference.participant_joined.v1':
          await join(tx, id, e.data.participant, e.data.role, e.data.modality, at);
          break;
        case 'conference.participant_lobbied.v1':
          await tx.query(START_PARTICIPATION, [id, e.data.participant, e.data.role, e.data.modality, true, at, null]);
          break;
        case 'conference.participant_admitted.v1': {
          const d = e.data;
          await updateOne(tx, ADMIT, [id, d.participant, d.role, d.modality, at, d.admittedBy], e.type);
          break;
        }
        case 'conference.participant_left.v1':
          await updateOne(tx, LEAVE, [id, e.data.participant, at, e.data.reason, e.data.by], e.type);
          break;
        case 'conference.participant_muted.v1':
        case 'conference.participant_unmuted.v1':
          await updateOne(tx, SET_MUTED, [id, e.data.participant, e.type === 'conference.participant_muted.v1'], e.type);
          break;
        case 'conference.locked.v1':
          await updateOne(tx, SET_ACCESS, [id, 'locked', at], e.type);
          break;
        case 'conference.unlocked.v1':
          await updateOne(tx, SET_ACCESS, [id, e.data.access, at], e.type);
          break;
        case 'conference.ended.v1':
          await updateOne(tx, END_CONFERENCE, [id, at, e.data.by], e.type);
          await tx.query(END_PARTICIPATIONS, [id, at, e.data.by]);
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`conference roster: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
  },
});
