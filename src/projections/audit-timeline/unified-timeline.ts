import { z } from 'zod';
import type { SqlClient } from '../../storage/sql-client.ts';
import type { UnifiedTimelineItem, UnifiedTimelinePage } from './unified-timeline-item.ts';
import { UnifiedTimelineQuerySchema, type UnifiedTimelineQuery } from './unified-timeline-query.ts';
import { sortedKeys } from './sorted-keys.ts';
import { WorkloadSchema } from './workload.ts';

// Optional filters are NULL parameters, so one statement per mode serves every combination.
const FILTERS = /* sql */ `
  AND ($2::timestamptz IS NULL OR e.occurred_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR e.occurred_at < $3::timestamptz)
  AND ($4::text IS NULL OR e.workload = ANY (string_to_array($4::text, ',')))`;

const SELECT_EVERYONE = /* sql */ `
SELECT e.position, e.occurred_at, e.workload, e.event_type, e.stream_id, e.summary, e.parties
FROM audit_events e
WHERE e.position > $1 ${FILTERS}
ORDER BY e.position
LIMIT $5`;

const SELECT_USER = /* sql */ `
SELECT e.position, e.occurred_at, e.workload, e.event_type, e.stream_id, e.summary, e.parties
FROM audit_timeline t JOIN audit_events e ON e.position = t.position
WHERE t.sip_uri = $6 AND t.position > $1 ${FILTERS}
ORDER BY t.position
LIMIT $5`;

// int8 arrives as a number from PGlite and as a bigint or string from pg: coerced to bigint either way.
const RowSchema = z
  .object({
    position: z.union([z.bigint().min(1n), z.number().int().min(1), z.string().regex(/^[1-9]\d*$/)]).transform((v) => BigInt(v)),
    occurred_at: z.date().transform((d) => d.toISOString()),
    workload: WorkloadSchema,
    event_type: z.string(),
    stream_id: z.string(),
    summary: z.record(z.string(), z.json()),
    parties: z.array(z.object({ sipUri: z.string(), as: z.array(z.string()) })),
  })
  .transform(
    (r): UnifiedTimelineItem => ({
      position: r.position,
      occurredAt: r.occurred_at,
      workload: r.workload,
      eventType: r.event_type,
      streamId: r.stream_id,
      summary: sortedKeys(r.summary),
      parties: r.parties,
    }),
  );

/**
 * One page of the unified timeline from the audit_timeline read model: IM,
 * presence, registrations, calls and conferences in one list ordered by log
 * position (commit order; `occurredAt` comes from the writing node's clock and
 * may be a little out of step between nodes). Throws ZodError for a bad query.
 */
export async function unifiedTimeline(client: Pick<SqlClient, 'query'>, query: UnifiedTimelineQuery): Promise<UnifiedTimelinePage> {
  const q = UnifiedTimelineQuerySchema.parse(query);
  const params: unknown[] = [q.after ?? 0n, q.from ?? null, q.to ?? null, q.workloads?.join(',') ?? null, q.limit];
  const { rows } = q.user === undefined ? await client.query(SELECT_EVERYONE, params) : await client.query(SELECT_USER, [...params, q.user]);
  const items = rows.map((row) => RowSchema.parse(row));
  const last = items.at(-1);
  return { items, next: items.length === q.limit && last ? last.position : null };
}
