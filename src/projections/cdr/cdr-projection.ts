import type { CallRoute } from '../../events/domain/call-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { BatchRows, bulkUpsertSql, defineSqlProjection, type BulkTable } from '../framework/index.ts';

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
  -- The PSTN gateway the call came in from; null for a call from a user.
  inbound_gateway   text,
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
  -- [{reason, onBehalfOf, member, contacts, at}]: team-call members and delegates who rang, in order.
  legs              jsonb       NOT NULL,
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

const CALLS: BulkTable = {
  name: 'cdr_calls',
  columns: {
    sip_call_id: 'text',
    caller: 'text',
    dialled_string: 'text',
    normalized_number: 'text',
    inbound_gateway: 'text',
    route_kind: 'text',
    route_target: 'text',
    pstn_route: 'text',
    gateway: 'text',
    voice_policy: 'text',
    pstn_usage: 'text',
    forwards: 'jsonb',
    transfers: 'jsonb',
    legs: 'jsonb',
    started_at: 'timestamptz',
    answered_at: 'timestamptz',
    ended_at: 'timestamptz',
    end_cause: 'text',
    sip_status: 'integer',
    duration_seconds: 'integer',
  },
  key: ['sip_call_id'],
};
const CONFERENCES: BulkTable = {
  name: 'cdr_conferences',
  columns: {
    conference_id: 'text',
    organizer: 'text',
    subject: 'text',
    starts_at: 'timestamptz',
    ends_at: 'timestamptz',
    scheduled_at: 'timestamptz',
    activated_at: 'timestamptz',
    ended_at: 'timestamptz',
    ended_by: 'text',
    participants: 'text[]',
    participant_count: 'integer',
    modalities: 'text[]',
  },
  key: ['conference_id'],
};
const IM_SESSIONS: BulkTable = {
  name: 'cdr_im_sessions',
  columns: {
    session_id: 'text',
    initiator: 'text',
    participants: 'text[]',
    participant_count: 'integer',
    messages_sent: 'integer',
    messages_delivered: 'integer',
    messages_failed: 'integer',
    started_at: 'timestamptz',
    ended_at: 'timestamptz',
    ended_by: 'text',
    end_reason: 'text',
  },
  key: ['session_id'],
};

const UPSERT_CALLS = bulkUpsertSql(CALLS);
const UPSERT_CONFERENCES = bulkUpsertSql(CONFERENCES);
const UPSERT_IM_SESSIONS = bulkUpsertSql(IM_SESSIONS);

/** A table's rows by key, read as the batch needs them; instants read as text, which writes back exactly. */
function selectByKey(table: BulkTable): string {
  const columns = Object.entries(table.columns).map(([name, type]) => (type === 'timestamptz' ? `${name}::text AS ${name}` : name));
  return `SELECT ${columns.join(', ')} FROM ${table.name} WHERE ${table.key[0]!} = ANY($1::text[])`;
}
const SELECT_CALLS = selectByKey(CALLS);
const SELECT_CONFERENCES = selectByKey(CONFERENCES);
const SELECT_IM_SESSIONS = selectByKey(IM_SESSIONS);

type Row = Record<string, unknown>;

/** The route's columns. */
function routeColumns(route: CallRoute): Row {
  switch (route.kind) {
    case 'user':
      return { route_kind: 'user', route_target: route.target, pstn_route: null, gateway: null, voice_policy: null, pstn_usage: null };
    case 'pstn':
      return {
        route_kind: 'pstn',
        route_target: route.number,
        pstn_route: route.routeName,
        gateway: route.gateway,
        voice_policy: route.voicePolicy,
        pstn_usage: route.pstnUsage,
      };
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${JSON.stringify(unreachable)}`);
    }
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type CdrEventType =
  | 'call.initiated.v1'
  | 'call.routed.v1'
  | 'call.answered.v1'
  | 'call.forwarded.v1'
  | 'call.leg_added.v1'
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
  // 2: inbound_gateway and legs (team call, delegates).
  version: 2,
  tables: CDR_TABLES,
  schema: CREATE_CDR,
  canHandle: [
    'call.initiated.v1',
    'call.routed.v1',
    'call.answered.v1',
    'call.forwarded.v1',
    'call.leg_added.v1',
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
    const callIds = new Set<string>();
    const conferenceIds = new Set<string>();
    const sessionIds = new Set<string>();
    for (const e of events) {
      if ('sipCallId' in e.data) callIds.add(e.data.sipCallId);
      else if ('conferenceId' in e.data) conferenceIds.add(e.data.conferenceId);
      else sessionIds.add(e.data.sessionId);
    }
    const calls = new BatchRows('cdr: call');
    const conferences = new BatchRows('cdr: conference');
    const sessions = new BatchRows('cdr: IM session');
    await calls.load(tx, SELECT_CALLS, callIds);
    await conferences.load(tx, SELECT_CONFERENCES, conferenceIds);
    await sessions.load(tx, SELECT_IM_SESSIONS, sessionIds);
    for (const e of events) {
      switch (e.type) {
        case 'call.initiated.v1': {
          const d = e.data;
          calls.insert(d.sipCallId, {
            sip_call_id: d.sipCallId,
            caller: d.caller,
            dialled_string: d.dialledString,
            normalized_number: d.normalizedNumber,
            inbound_gateway: d.inboundGateway ?? null,
            route_kind: null,
            route_target: null,
            pstn_route: null,
            gateway: null,
            voice_policy: null,
            pstn_usage: null,
            forwards: [],
            transfers: [],
            legs: [],
            started_at: d.at,
            answered_at: null,
            ended_at: null,
            end_cause: null,
            sip_status: null,
            duration_seconds: null,
          });
          break;
        }
        case 'call.routed.v1':
          calls.update(e.data.sipCallId, e.type, (row) => Object.assign(row, routeColumns(e.data.route)));
          break;
        case 'call.answered.v1':
          // The first answer counts: a transferred call answered again keeps its start of billing.
          calls.update(e.data.sipCallId, e.type, (row) => (row['answered_at'] ??= e.data.at));
          break;
        case 'call.forwarded.v1': {
          const { sipCallId, reason, from, to, at } = e.data;
          calls.update(sipCallId, e.type, (row) => (row['forwards'] = [...(row['forwards'] as unknown[]), { reason, from, to, at }]));
          break;
        }
        case 'call.leg_added.v1': {
          const { sipCallId, reason, onBehalfOf, member, contacts, at } = e.data;
          calls.update(sipCallId, e.type, (row) => (row['legs'] = [...(row['legs'] as unknown[]), { reason, onBehalfOf, member, contacts, at }]));
          break;
        }
        case 'call.transferred.v1': {
          const { sipCallId, by, to, at } = e.data;
          calls.update(sipCallId, e.type, (row) => (row['transfers'] = [...(row['transfers'] as unknown[]), { by, to, at }]));
          break;
        }
        case 'call.ended.v1': {
          const d = e.data;
          calls.update(
            d.sipCallId,
            e.type,
            (row) => Object.assign(row, { ended_at: d.at, end_cause: d.cause, sip_status: d.sipStatus, duration_seconds: d.durationSeconds }),
            true,
          );
          break;
        }
        case 'conference.scheduled.v1': {
          const d = e.data;
          conferences.insert(d.conferenceId, {
            conference_id: d.conferenceId,
            organizer: d.organizer,
            subject: d.subject,
            starts_at: d.startsAt,
            ends_at: d.endsAt,
            scheduled_at: d.at,
            activated_at: null,
            ended_at: null,
            ended_by: null,
            participants: [],
            participant_count: 0,
            modalities: [],
          });
          break;
        }
        case 'conference.activated.v1':
          conferences.update(e.data.conferenceId, e.type, (row) => (row['activated_at'] = e.data.at));
          break;
        case 'conference.participant_joined.v1':
        case 'conference.participant_admitted.v1': {
          const { participant, modality } = e.data;
          conferences.update(e.data.conferenceId, e.type, (row) => {
            const participants = row['participants'] as string[];
            if (!participants.includes(participant)) {
              row['participants'] = [...participants, participant];
              row['participant_count'] = Number(row['participant_count']) + 1;
            }
            // Distinct and sorted byte-wise, as COLLATE "C" sorted them (modalities are ASCII tokens).
            row['modalities'] = [...new Set([...(row['modalities'] as string[]), modality])].sort(byCodeUnit);
          });
          break;
        }
        case 'conference.ended.v1':
          conferences.update(e.data.conferenceId, e.type, (row) => Object.assign(row, { ended_at: e.data.at, ended_by: e.data.by }), true);
          break;
        case 'im.session_started.v1': {
          const d = e.data;
          sessions.insert(d.sessionId, {
            session_id: d.sessionId,
            initiator: d.initiator,
            participants: d.participants,
            participant_count: d.participants.length,
            messages_sent: 0,
            messages_delivered: 0,
            messages_failed: 0,
            started_at: d.at,
            ended_at: null,
            ended_by: null,
            end_reason: null,
          });
          break;
        }
        case 'im.message_sent.v1':
          sessions.update(e.data.sessionId, e.type, (row) => (row['messages_sent'] = Number(row['messages_sent']) + 1));
          break;
        case 'im.message_delivered.v1':
          sessions.update(e.data.sessionId, e.type, (row) => (row['messages_delivered'] = Number(row['messages_delivered']) + 1));
          break;
        case 'im.message_failed.v1':
          sessions.update(e.data.sessionId, e.type, (row) => (row['messages_failed'] = Number(row['messages_failed']) + 1));
          break;
        case 'im.session_ended.v1': {
          const d = e.data;
          sessions.update(d.sessionId, e.type, (row) => Object.assign(row, { ended_at: d.at, ended_by: d.endedBy, end_reason: d.reason }), true);
          break;
        }
        default: {
          const unreachable: never = e;
          throw new Error(`cdr: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
    await calls.write(tx, UPSERT_CALLS);
    await conferences.write(tx, UPSERT_CONFERENCES);
    await sessions.write(tx, UPSERT_IM_SESSIONS);
  },
});
