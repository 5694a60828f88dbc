import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { MAX_TIMELINE_PAGE } from '../../projections/audit-timeline/user-timeline.ts';
import { pageLimitSchema } from './page-query.ts';
import { LogPositionSchema } from './positions.ts';

/** GET /users/{sipUri}/timeline?after=&limit=; the URI is percent-encoded so it makes one path segment. */
export function userTimelinePath(sipUri: string): string {
  return `/users/${encodeURIComponent(sipUri)}/timeline`;
}

export const TimelineQuerySchema = z.object({
  /** Rows after this log position (the `next` of the previous page); omitted: from the start. */
  after: LogPositionSchema.transform((p) => BigInt(p)).optional().describe('a log position: the `next` of the previous page'),
  limit: pageLimitSchema(MAX_TIMELINE_PAGE),
});

/** One event that concerned the user (src/projections/audit-timeline). */
export const TimelineEntrySchema = z.object({
  position: LogPositionSchema,
  occurredAt: IsoInstantSchema,
  eventType: z.string(),
  streamId: z.string(),
  /** Compact, per event type; `as` lists the user's roles in the event (`caller`, `watcher`, …). Never secrets or IM bodies. */
  summary: z.record(z.string(), z.unknown()),
});

export const TimelinePageSchema = z.object({
  sipUri: SipUriSchema,
  /** In log order. */
  items: z.array(TimelineEntrySchema),
  /** Pass as `after` for the next page; null when this page was the last. */
  next: LogPositionSchema.nullable(),
});
export type TimelinePageBody = z.infer<typeof TimelinePageSchema>;
