import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { bulkInsertSql, bulkUpsertSql, writeBulk, type BulkRow, type BulkTable } from '../framework/index.ts';
import { auditEntry, concernedUsers, type AuditContext, type AuditedEvent, type AuditedEventType, type AuditEntry } from './audit-entry.ts';
import { AUDITED_TYPES } from './audited-types.ts';
import { workloadOf } from './workload.ts';

/**
 * One row per (user, event) for every event that concerns a user, so a
 * compliance officer pages one person's history by log position. The rows
 * come from `auditEntry` (pure); `audit_parties` remembers who took part in a
 * call, conference or IM session for the context's later events, and is
 * emptied when the context ends. `audit_events` holds each audited event once
 * (with its workload and every concerned user) for the unified timeline of
 * everyone in a time window (unified-timeline.ts).
 */
export const AUDIT_TIMELINE_TABLES = ['audit_timeline', 'audit_parties', 'audit_events'] as const;

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
);
CREATE TABLE audit_events (
  position    bigint      PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  workload    text        NOT NULL,
  event_type  text        NOT NULL,
  stream_id   text        NOT NULL,
  summary     jsonb       NOT NULL,
  parties     jsonb       NOT NULL
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at, position);`;

const TIMELINE: BulkTable = {
  name: 'audit_timeline',
  columns: { sip_uri: 'text', position: 'bigint', occurred_at: 'timestamptz', event_type: 'text', stream_id: 'text', summary: 'jsonb' },
  key: ['sip_uri', 'position'],
};
const EVENTS: BulkTable = {
  name: 'audit_events',
  columns: {
    position: 'bigint',
    occurred_at: 'timestamptz',
    workload: 'text',
    event_type: 'text',
    stream_id: 'text',
    summary: 'jsonb',
    parties: 'jsonb',
  },
  key: ['position'],
};
const PARTIES: BulkTable = {
  name: 'audit_parties',
  columns: { context_kind: 'text', context_id: 'text', sip_uri: 'text', role: 'text' },
  key: ['context_kind', 'context_id', 'sip_uri'],
};

/** All of a batch's rows in one statement: one summary per user and event (its `as` differs). */
const INSERT_ROWS = bulkInsertSql(TIMELINE);
const INSERT_EVENTS = bulkInsertSql(EVENTS);

// The parties of every context a batch names, in one read.
const SELECT_PARTIES = /* sql */ `
SELECT p.context_kind, p.context_id, p.sip_uri, p.role
FROM audit_parties p JOIN json_to_recordset($1::json) AS c (context_kind text, context_id text)
  ON p.context_kind = c.context_kind AND p.context_id = c.context_id`;

const REMEMBER_PARTIES = bulkUpsertSql(PARTIES, []);

const FORGET_PARTIES = /* sql */ `
DELETE FROM audit_parties USING json_to_recordset($1::json) AS c (context_kind text, context_id text)
WHERE audit_parties.context_kind = c.context_kind AND audit_parties.context_id = c.context_id`;

/** One context's parties during a batch: as stored, and as the batch leaves them. */
interface ContextParties {
  readonly kind: AuditContext['kind'];
  readonly id: string;
  /** sipUri → role; the first role recorded is kept. */
  readonly parties: Map<string, string>;
  /** The context closed during the batch: its stored rows go, `parties` are what came after. */
  forgotten: boolean;
  readonly stored: ReadonlySet<string>;
}

const contextKey = (kind: string, id: string): string => `${kind}\u0000${id}`;

async function loadContexts(tx: SqlTransaction, events: readonly AuditedEntry[]): Promise<Map<string, ContextParties>> {
  const contexts = new Map<string, ContextParties>();
  const keys: { context_kind: string; context_id: string }[] = [];
  for (const { entry } of events) {
    const c = entry.context;
    if (!c || contexts.has(contextKey(c.kind, c.id))) continue;
    contexts.set(contextKey(c.kind, c.id), { kind: c.kind, id: c.id, parties: new Map(), forgotten: false, stored: new Set() });
    keys.push({ context_kind: c.kind, context_id: c.id });
  }
  if (keys.length === 0) return contexts;
  const { rows } = await tx.query<{ context_kind: string; context_id: string; sip_uri: string; role: string }>(SELECT_PARTIES, [
    JSON.stringify(keys),
  ]);
  for (const r of rows) {
    const context = contexts.get(contextKey(r.context_kind, r.context_id))!;
    context.parties.set(r.sip_uri, r.role);
    (context.stored as Set<string>).add(r.sip_uri);
  }
  return contexts;
}

/** The remembered parties as the per-event SELECT returned them: sorted, so a summary's roles never depend on storage order. */
function rememberedParties(context: ContextParties | undefined): [string, string][] {
  if (!context) return [];
  return [...context.parties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function updateParties(parties: ContextParties | undefined, context: AuditContext | null): void {
  if (!context || !parties) return;
  if (context.closes) {
    parties.parties.clear();
    parties.forgotten = true;
    return;
  }
  // Only users: tel: targets never get a timeline (auditEntry filtered its parties, not `remember`).
  for (const [uri, role] of context.remember) if (uri.startsWith('sip:') && !parties.parties.has(uri)) parties.parties.set(uri, role);
}

async function writeParties(tx: SqlTransaction, contexts: ReadonlyMap<string, ContextParties>): Promise<void> {
  const forget: BulkRow[] = [];
  const remember: BulkRow[] = [];
  for (const c of contexts.values()) {
    if (c.forgotten) forget.push({ context_kind: c.kind, context_id: c.id });
    for (const [uri, role] of c.parties)
      if (c.forgotten || !c.stored.has(uri)) remember.push({ context_kind: c.kind, context_id: c.id, sip_uri: uri, role });
  }
  await writeBulk(tx, FORGET_PARTIES, forget);
  await writeBulk(tx, REMEMBER_PARTIES, remember);
}

interface AuditedEntry {
  readonly event: RecordedEvent<AuditedEvent>;
  readonly entry: AuditEntry;
}

export const auditTimelineProjection = defineSqlProjection<DomainEvent, AuditedEventType>({
  name: 'audit_timeline',
  // 2: audit_events (one row per event, for the unified timeline).
  version: 2,
  tables: AUDIT_TIMELINE_TABLES,
  schema: CREATE_AUDIT_TIMELINE,
  canHandle: AUDITED_TYPES,
  async handle(events, tx) {
    // The batch is folded in memory: the parties of the contexts it names are
    // read once, evolved event by event, and written back once.
    const entries = events.map((event): AuditedEntry => ({ event, entry: auditEntry(event) }));
    const contexts = await loadContexts(tx, entries);
    const rows: BulkRow[] = [];
    const eventRows: BulkRow[] = [];
    for (const { event: e, entry } of entries) {
      const context = entry.context ? contexts.get(contextKey(entry.context.kind, entry.context.id)) : undefined;
      const users = concernedUsers(entry, entry.context?.includeParties ? rememberedParties(context) : []);
      for (const [uri, as] of users)
        rows.push({
          sip_uri: uri,
          position: e.globalPosition.toString(),
          occurred_at: e.metadata.occurredAt,
          event_type: e.type,
          stream_id: e.streamId,
          summary: { ...entry.summary, as },
        });
      eventRows.push({
        position: e.globalPosition.toString(),
        occurred_at: e.metadata.occurredAt,
        workload: workloadOf(e.type),
        event_type: e.type,
        stream_id: e.streamId,
        summary: entry.summary,
        parties: [...users].map(([sipUri, as]) => ({ sipUri, as })),
      });
      updateParties(context, entry.context);
    }
    await writeBulk(tx, INSERT_ROWS, rows);
    await writeBulk(tx, INSERT_EVENTS, eventRows);
    await writeParties(tx, contexts);
  },
});
