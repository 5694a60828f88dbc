import { z } from 'zod';
import type { SqlClient } from '../../storage/sql-client.ts';

const SELECT_USER_TIMELINE = /* sql */ `
SELECT position, occurred_at, event_type, stream_id, summary
FROM audit_timeline
WHERE sip_uri = $1 AND position > $2
ORDER BY position
LIMIT $3`;

export const MAX_TIMELINE_PAGE = 1_000;

export const UserTimelineOptionsSchema = z.strictObject({
  /** Rows after this log position; omitted: from the start. */
  after: z.bigint().min(0n).optional(),
  /** 1…1000. */
  limit: z.number().int().min(1).max(MAX_TIMELINE_PAGE),
});
export type UserTimelineOptions = z.input<typeof UserTimelineOptionsSchema>;

const JsonObjectSchema = z.record(z.string(), z.json());

// int8 arrives as a number from PGlite and as a bigint from pg: coerced to bigint either way.
const TimelineRowSchema = z
  .object({
    position: z.union([z.bigint().min(1n), z.number().int().min(1), z.string().regex(/^[1-9]\d*$/)]).transform((v) => BigInt(v)),
    occurred_at: z.date().transform((d) => d.toISOString()),
    event_type: z.string(),
    stream_id: z.string(),
    summary: JsonObjectSchema,
  })
  .transform((r) => ({
    position: r.position,
    occurredAt: r.occurred_at,
    eventType: r.event_type,
    streamId: r.stream_id,
    /** Compact, per event type; `as` lists the user's roles in the event (`caller`, `watcher`, …). */
    summary: r.summary,
  }));

export type TimelineEntry = z.output<typeof TimelineRowSchema>;

export interface UserTimelinePage {
  readonly items: readonly TimelineEntry[];
  /** Pass as `after` for the next page; null when this page was the last (it came back short). */
  readonly next: bigint | null;
}

/** One page of a user's audit timeline in log order. Options are validated (ZodError). */
export async function userTimeline(client: Pick<SqlClient, 'query'>, sipUri: string, options: UserTimelineOptions): Promise<UserTimelinePage> {
  const { after, limit } = UserTimelineOptionsSchema.parse(options);
  const { rows } = await client.query(SELECT_USER_TIMELINE, [sipUri, after ?? 0n, limit]);
  const items = rows.map((row) => TimelineRowSchema.parse(row));
  const last = items.at(-1);
  return { items, next: items.length === limit && last ? last.position : null };
}
