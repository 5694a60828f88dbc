import type { CallRoute } from '../../events/domain/call-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';

/**
 * Call detail records: one row per call, conference and IM session. A row is
 * created by the first event and filled in as the call/conference/session goes
 * on; it is complete once `ended_at` is set, and only complete rows are paged
 * (`cdrPage`). IM delivery receipts may still arrive after a session ended
 * (a 200 crossing a BYE): they update the counts of an ended row.
 */
export const CDR_TABLES = ['cdr_calls', 'cdr_conferences', 'cdr_im_sessions'] as const;

const CREATE_CDR = /* sql */ `
CREATE TABLE cdr_calls (
  sip_call_id       text        PRIMARY KEY,
  caller            text        NOT NULL,
  dialled_string    text        NOT NULL,
  normalized_number text,
  -- The last route the call took (after forwards and transfers); null if it was never routed.
  route_kind        text        CHECK (route_kind IN ('user', 'pstn')),
  route_target      text,
  pstn_route        text,
  gateway           text,
  voice_policy      text,
  pstn_usage        text,
  -- [{reason, from, to, at}] and [{by, to, at}], in order.
  forwards          jsonb       NOT NULL,
  transfers         jsonb       NOT NULL,
  started_at        timestamptz NOT NULL,
  answered_at       timestamptz,
  ended_at          timestamptz,
  end_cause         text,
  sip_status        integer,
  duration_seconds  integer
);
CREATE INDEX cdr_calls_ended ON cdr_calls (ended_at, sip_call_id COLLATE "C") WHERE ended_at IS NOT NULL;

CREATE TABLE cdr_conferences (
  conference_id     text        PRIMARY KEY,
  organizer         text        NOT NULL,
  subject           text        NOT NULL,
  starts_at         timestamptz NOT NULL,
  ends_at           timestamptz NOT NULL,
  scheduled_at      timestamptz NOT NULL,
  activated_at      timestamptz,
  ended_at          timestamptz,
  ended_by          text,
  -- Everyone who was ever in (joined or admitted), in order of first entry; lobby-only visitors are not.
  participants      text[]      NOT NULL,
  participant_count integer     NOT NULL,
  -- Every modality anyone used, sorted.
  modalities        text[]      NOT NULL
);
CREATE INDEX cdr_conferences_ended ON cdr_conferences (ended_at, conference_id COLLATE "C") WHERE ended_at IS NOT NULL;

CREATE TABLE cdr_im_sessions (
  session_id         text        PRIMARY KEY,
  initiator          text        NOT NULL,
  participants       text[]      NOT NULL,
  participant_count  integer     NOT NULL,
  messages_sent      integer     NOT NULL,
  -- Per recipient: a message to three people delivered to two counts 2 here.
  messages_delivered integer     NOT NULL,
  messages_failed    integer     NOT NULL,
  started_at         timestamptz NOT NULL,
  ended_at           timestamptz,
  ended_by           text,
  end_reason         text
);
CREATE INDEX cdr_im_sessions_ended ON cdr_im_sessions (ended_at, session_id COLLATE "C") WHERE ended_at IS NOT NULL;`;

const INSERT_CALL = /* sql */ `
INSERT INTO cdr_calls (sip_call_id, caller, dialled_string, normalized_number, forwards, transfers, started_at)
VALUES ($1, $2, $3, $4, '[]'::jsonb, '[]'::jsonb, $5)`;

const SET_CALL_ROUTE = /* sql */ `
UPDATE cdr_calls
SET route_kind = $2, route_target = $3, pstn_route = $4, gateway = $5, voice_policy = $6, pstn_usage = $7
WHERE sip_call_id = $1 RETURNING sip_call_id`;

/** The first answer counts: a transferred call answered again keeps its start of billing. */
const ANSWER_CALL = /* sql */ `
UPDATE cdr_calls SET answered_at = COALESCE(answered_at, $2) WHERE sip_call_id = $1 RETURNING sip_call_id`;

const ADD_FORWARD = /* sql */ `
UPDATE cdr_calls SET forwards = forwards || jsonb_build_array($2::jsonb) WHERE sip_call_id = $1 RETURNING sip_call_id`;

const ADD_TRANSFER = /* sql */ `
UPDATE cdr_calls SET transfers = transfers || jsonb_build_array($2::jsonb) WHERE sip_call_id = $1 RETURNING sip_call_id`;

const END_CALL = /* sql */ `
UPDATE cdr_calls SET ended_at = $2, end_cause = $3, sip_status = $4, duration_seconds = $5
WHERE sip_call_id = $1 AND ended_at IS NULL RETURNING sip_call_id`;

const INSERT_CONFERENCE = /* sql */ `
INSERT INTO cdr_conferences
  (conference_id, organizer, subject, starts_at, ends_at, scheduled_at, participants, participant_count, modalities)
VALUES ($1, $2, $3, $4, $5, $6, '{}', 0, '{}')`;

const ACTIVATE_CONFERENCE = /* sql */ `
UPDATE cdr_conferences SET activated_at = $2 WHERE conference_id = $1 RETURNING conference_id`;

const ADD_CONFERENCE_PARTICIPANT = /* sql */ `
UPDATE cdr_conferences
SET participants = CASE WHEN $2::text = ANY (participants) THEN participants ELSE array_append(participants, $2::text) END,
    participant_count = participant_count + CASE WHEN $2::text = ANY (participants) THEN 0 ELSE 1 END,
    modalities = ARRAY(SELECT DISTINCT m COLLATE "C" FROM unnest(array_append(modalities, $3::text)) AS m ORDER BY 1)
WHERE conference_id = $1 RETURNING conference_id`;

const END_CONFERENCE = /* sql */ `
UPDATE cdr_conferences SET ended_at = $2, ended_by = $3 WHERE conference_id = $1 AND ended_at IS NULL RETURNING conference_id`;

const INSERT_IM_SESSION = /* sql */ `
INSERT INTO cdr_im_sessions
  (session_id, initiator, participants, participant_count, messages_sent, messages_delivered, messages_failed, started_at)
VALUES ($1, $2, $3::text[], cardinality($3::text[]), 0, 0, 0, $4)`;

const COUNT_IM = /* sql */ `
UPDATE cdr_im_sessions
SET messages_sent = messages_sent + $2, messages_delivered = messages_delivered + $3, messages_failed = messages_failed + $4
WHERE session_id = $1 RETURNING session_id`;

const END_IM_SESSION = /* sql */ `
UPDATE cdr_im_sessions SET ended_at = $2, ended_by = $3, end_reason = $4
WHERE session_id = $1 AND ended_at IS NULL RETURNING session_id`;

/** The route's columns in SET_CALL_ROUTE's order ($2…$7). */
function routeColumns(route: CallRoute): unknown[] {
  switch (route.kind) {
    case 'user':
      return ['user', route.target, null, null, null, null];
    case 'pstn':
      return ['pstn', route.number, route.routeName, route.gateway, route.voicePolicy, route.pstnUsage];
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Each follow-up event must find the row its first event created; a miss means a corrupt log. */
async function updateOne(tx: SqlTransaction, sql: string, params: readonly unknown[], type: string): Promise<void> {
  const { rows } = await tx.query(sql, params);
  if (rows.length !== 1) throw new Error(`cdr: ${type} for ${String(params[0])} matches no open record`);
}

type CdrEventType =
  | 'call.initiated.v1'
  | 'call.routed.v1'
  | 'call.answered.v1'
  | 'call.forwarded.v1'
  | 'call.transferred.v1'
  | 'call.ended.v1'
  | 'conference.scheduled.v1'
  | 'conference.activated.v1'
  | 'conference.participant_joined.v1'
  | 'conference.participant_admitted.v1'
  | 'conference.ended.v1'
  | 'im.session_started.v1'
  | 'im.message_sent.v1'
  | 'im.message_delivered.v1'
  | 'im.message_failed.v1'
  | 'im.session_ended.v1';

export const cdrProjection = defineSqlProjection<DomainEvent, CdrEventType>({
  name: 'cdr',
  version: 1,
  tables: CDR_TABLES,
  schema: CREATE_CDR,
  canHandle: [
    'call.initiated.v1',
    'call.routed.v1',
    'call.answered.v1',
    'call.forwarded.v1',
    'call.transferred.v1',
    'call.ended.v1',
    'conference.scheduled.v1',
    'conference.activated.v1',
    'conference.participant_joined.v1',
    'conference.participant_admitted.v1',
    'conference.ended.v1',
    'im.session_started.v1',
    'im.message_sent.v1',
    'im.message_delivered.v1',
    'im.message_failed.v1',
    'im.session_ended.v1',
  ],
  async handle(events, tx) {
    for (const e of events) {
      switch (e.type) {
        case 'call.initiated.v1': {
          const d = e.data;
          await tx.query(INSERT_CALL, [d.sipCallId, d.caller, d.dialledString, d.normalizedNumber, d.at]);
          break;
        }
        case 'call.routed.v1':
          await updateOne(tx, SET_CALL_ROUTE, [e.data.sipCallId, ...routeColumns(e.data.route)], e.type);
          break;
        case 'call.answered.v1':
          await updateOne(tx, ANSWER_CALL, [e.data.sipCallId, e.data.at], e.type);
          break;
        case 'call.forwarded.v1': {
          const { sipCallId, reason, from, to, at } = e.data;
          await updateOne(tx, ADD_FORWARD, [sipCallId, JSON.stringify({ reason, from, to, at })], e.type);
          break;
        }
        case 'call.transferred.v1': {
          const { sipCallId, by, to, at } = e.data;
          await updateOne(tx, ADD_TRANSFER, [sipCallId, JSON.stringify({ by, to, at })], e.type);
          break;
        }
        case 'call.ended.v1': {
          const d = e.data;
          await updateOne(tx, END_CALL, [d.sipCallId, d.at, d.cause, d.sipStatus, d.durationSeconds], e.type);
          break;
        }
        case 'conference.scheduled.v1': {
          const d = e.data;
          await tx.query(INSERT_CONFERENCE, [d.conferenceId, d.organizer, d.subject, d.startsAt, d.endsAt, d.at]);
          break;
        }
        case 'conference.activated.v1':
          await updateOne(tx, ACTIVATE_CONFERENCE, [e.data.conferenceId, e.data.at], e.type);
          break;
        case 'conference.participant_joined.v1':
        case 'conference.participant_admitted.v1':
          await updateOne(tx, ADD_CONFERENCE_PARTICIPANT, [e.data.conferenceId, e.data.participant, e.data.modality], e.type);
          break;
        case 'conference.ended.v1':
          await updateOne(tx, END_CONFERENCE, [e.data.conferenceId, e.data.at, e.data.by], e.type);
          break;
        case 'im.session_started.v1': {
          const d = e.data;
          await tx.query(INSERT_IM_SESSION, [d.sessionId, d.initiator, d.participants, d.at]);
          break;
        }
        case 'im.message_sent.v1':
          await updateOne(tx, COUNT_IM, [e.data.sessionId, 1, 0, 0], e.type);
          break;
        case 'im.message_delivered.v1':
          await updateOne(tx, COUNT_IM, [e.data.sessionId, 0, 1, 0], e.type);
          break;
        case 'im.message_failed.v1':
          await updateOne(tx, COUNT_IM, [e.data.sessionId, 0, 0, 1], e.type);
          break;
        case 'im.session_ended.v1': {
          const d = e.data;
          await updateOne(tx, END_IM_SESSION, [d.sessionId, d.at, d.endedBy, d.reason], e.type);
          break;
        }
        default: {
          const unreachable: never = e;
          throw new Error(`cdr: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
  },
});
