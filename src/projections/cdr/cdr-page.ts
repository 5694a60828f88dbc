import { z } from 'zod';
import type { SqlClient } from '../../storage/sql-client.ts';
import {
  CALL_CDR_COLUMNS,
  CallCdrSchema,
  CONFERENCE_CDR_COLUMNS,
  ConferenceCdrSchema,
  IM_SESSION_CDR_COLUMNS,
  ImSessionCdrSchema,
  type CallCdr,
  type ConferenceCdr,
  type ImSessionCdr,
} from './cdr-records.ts';

/*
 * Keyset pages over finished records, ordered by (ended_at, id). COLLATE "C"
 * on the id gives one order on every backend and matches the partial indexes.
 * Instants in the log have millisecond precision (deciders write
 * Date#toISOString), so a cursor's ISO string round-trips exactly.
 */
const SELECT_CALLS_PAGE = /* sql */ `
SELECT ${CALL_CDR_COLUMNS} FROM cdr_calls
WHERE ended_at IS NOT NULL
  AND ($1::timestamptz IS NULL OR (ended_at, sip_call_id COLLATE "C") > ($1::timestamptz, $2::text))
ORDER BY ended_at, sip_call_id COLLATE "C"
LIMIT $3`;

const SELECT_CONFERENCES_PAGE = /* sql */ `
SELECT ${CONFERENCE_CDR_COLUMNS} FROM cdr_conferences
WHERE ended_at IS NOT NULL
  AND ($1::timestamptz IS NULL OR (ended_at, conference_id COLLATE "C") > ($1::timestamptz, $2::text))
ORDER BY ended_at, conference_id COLLATE "C"
LIMIT $3`;

const SELECT_IM_SESSIONS_PAGE = /* sql */ `
SELECT ${IM_SESSION_CDR_COLUMNS} FROM cdr_im_sessions
WHERE ended_at IS NOT NULL
  AND ($1::timestamptz IS NULL OR (ended_at, session_id COLLATE "C") > ($1::timestamptz, $2::text))
ORDER BY ended_at, session_id COLLATE "C"
LIMIT $3`;

export const CdrKindSchema = z.enum(['call', 'conference', 'im']);
export type CdrKind = z.infer<typeof CdrKindSchema>;

/** Where the previous page stopped: its last record's end and id. */
export const CdrCursorSchema = z.strictObject({ endedAt: z.iso.datetime({ offset: true }), id: z.string().min(1) });
export type CdrCursor = z.infer<typeof CdrCursorSchema>;

export const MAX_CDR_PAGE = 1_000;

export const CdrPageOptionsSchema = z.strictObject({
  kind: CdrKindSchema,
  /** Omitted: from the first record. */
  after: CdrCursorSchema.optional(),
  /** 1…1000. */
  limit: z.number().int().min(1).max(MAX_CDR_PAGE),
});

interface CdrRecordOf {
  call: CallCdr;
  conference: ConferenceCdr;
  im: ImSessionCdr;
}

export interface CdrPageOptions<K extends CdrKind = CdrKind> {
  readonly kind: K;
  readonly after?: CdrCursor;
  readonly limit: number;
}

export interface CdrPage<K extends CdrKind = CdrKind> {
  readonly kind: K;
  readonly items: readonly CdrRecordOf[K][];
  /** Pass as `after` for the next page; null when this page was the last (it came back short). */
  readonly next: CdrCursor | null;
}

const QUERIES: { readonly [K in CdrKind]: { readonly sql: string; readonly parse: (row: unknown) => CdrRecordOf[K] } } = {
  call: { sql: SELECT_CALLS_PAGE, parse: (row) => CallCdrSchema.parse(row) },
  conference: { sql: SELECT_CONFERENCES_PAGE, parse: (row) => ConferenceCdrSchema.parse(row) },
  im: { sql: SELECT_IM_SESSIONS_PAGE, parse: (row) => ImSessionCdrSchema.parse(row) },
};

/** One page of finished calls, conferences or IM sessions, oldest end first. Options are validated (ZodError). */
export async function cdrPage<K extends CdrKind>(client: Pick<SqlClient, 'query'>, options: CdrPageOptions<K>): Promise<CdrPage<K>> {
  const { after, limit } = CdrPageOptionsSchema.parse(options);
  const query = QUERIES[options.kind];
  const { rows } = await client.query(query.sql, [after?.endedAt ?? null, after?.id ?? null, limit]);
  const items = rows.map((row) => query.parse(row));
  const last = items.at(-1);
  return {
    kind: options.kind,
    items,
    next: items.length === limit && last ? { endedAt: last.endedAt, id: last.id } : null,
  };
}
