import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { directoryEvents } from '../../events/domain/directory-events.ts';
import { endpointEvents } from '../../events/domain/endpoint-events.ts';
import { presenceEvents } from '../../events/domain/presence-events.ts';
import { userVoiceEvents } from '../../events/domain/user-voice-events.ts';
import { imEvents } from '../../events/domain/im-events.ts';
import { conferenceEvents } from '../../events/domain/conference-events.ts';
import { callEvents } from '../../events/domain/call-events.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';
import { auditEntry, concernedUsers, type AuditContext, type AuditedEventType } from './audit-entry.ts';

/**
 * One row per (user, event) for every event that concerns a user, so a
 * compliance officer pages one person's history by log position. The rows
 * come from `auditEntry` (pure); `audit_parties` remembers who took part in a
 * call, conference or IM session for the context's later events, and is
 * emptied when the context ends.
 */
export const AUDIT_TIMELINE_TABLES = ['audit_timeline', 'audit_parties'] as const;

const CREATE_AUDIT_TIMELINE = /* sql */ `
CREATE TABLE audit_timeline (
  sip_uri     text        NOT NULL,
  position    bigint      NOT NULL,
  occurred_at timestamptz NOT NULL,
  event_type  text        NOT NULL,
  stream_id   text        NOT NULL,
  summary     jsonb       NOT NULL,
  PRIMARY KEY (sip_uri, position)
);
CREATE TABLE audit_parties (
  context_kind text NOT NULL CHECK (context_kind IN ('call', 'conference', 'im')),
  context_id   text NOT NULL,
  sip_uri      text NOT NULL,
  role         text NOT NULL,
  PRIMARY KEY (context_kind, context_id, sip_uri)
);`;

/** All of one event's rows in one statement: one summary per user (its `as` differs). */
const INSERT_ROWS = /* sql */ `
INSERT INTO audit_timeline (sip_uri, position, occurred_at, event_type, stream_id, summary)
SELECT u.sip_uri, $3, $4, $5, $6, u.summary::jsonb
FROM unnest($1::text[], $2::text[]) AS u (sip_uri, summary)`;

const SELECT_PARTIES = /* sql */ `
SELECT sip_uri, role FROM audit_parties WHERE context_kind = $1 AND context_id = $2`;

const REMEMBER_PARTIES = /* sql */ `
INSERT INTO audit_parties (context_kind, context_id, sip_uri, role)
SELECT $1, $2, p.sip_uri, p.role FROM unnest($3::text[], $4::text[]) AS p (sip_uri, role)
ON CONFLICT (context_kind, context_id, sip_uri) DO NOTHING`;

const FORGET_PARTIES = /* sql */ `DELETE FROM audit_parties WHERE context_kind = $1 AND context_id = $2`;

async function rememberedParties(tx: SqlTransaction, context: AuditContext | null): Promise<[string, string][]> {
  if (!context?.includeParties) return [];
  const { rows } = await tx.query<{ sip_uri: string; role: string }>(SELECT_PARTIES, [context.kind, context.id]);
  // Sorted so the roles' order in a summary never depends on the table's physical order.
  return rows.map((r): [string, string] => [r.sip_uri, r.role]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function updateParties(tx: SqlTransaction, context: AuditContext | null): Promise<void> {
  if (!context) return;
  if (context.closes) {
    await tx.query(FORGET_PARTIES, [context.kind, context.id]);
    return;
  }
  // Only users: tel: targets never get a timeline (auditEntry filtered its parties, not `remember`).
  const remember = context.remember.filter(([uri]) => uri.startsWith('sip:'));
  if (remember.length === 0) return;
  await tx.query(REMEMBER_PARTIES, [context.kind, context.id, remember.map(([u]) => u), remember.map(([, r]) => r)]);
}

/** Every event type of the aggregates that belong to users, calls, conferences and IM. */
const AUDITED_TYPES = Object.keys({
  ...directoryEvents,
  ...endpointEvents,
  ...presenceEvents,
  ...userVoiceEvents,
  ...imEvents,
  ...conferenceEvents,
  ...callEvents,
}) as AuditedEventType[];

export const auditTimelineProjection = defineSqlProjection<DomainEvent, AuditedEventType>({
  name: 'audit_timeline',
  version: 1,
  tables: AUDIT_TIMELINE_TABLES,
  schema: CREATE_AUDIT_TIMELINE,
  canHandle: AUDITED_TYPES,
  async handle(events, tx) {
    for (const e of events) {
      const entry = auditEntry(e);
      const users = concernedUsers(entry, await rememberedParties(tx, entry.context));
      if (users.size > 0) {
        const uris = [...users.keys()];
        const summaries = uris.map((uri) => JSON.stringify({ ...entry.summary, as: users.get(uri) ?? [] }));
        await tx.query(INSERT_ROWS, [uris, summaries, e.globalPosition, e.metadata.occurredAt, e.type, e.streamId]);
      }
      await updateParties(tx, entry.context);
    }
  },
});
