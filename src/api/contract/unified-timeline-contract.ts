import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { MAX_UNIFIED_TIMELINE_PAGE } from '../../projections/audit-timeline/unified-timeline-query.ts';
import { WorkloadListSchema, WorkloadSchema } from '../../projections/audit-timeline/workload.ts';
import { pageLimitSchema } from './page-query.ts';
import { LogPositionSchema } from './positions.ts';

export const UNIFIED_TIMELINE_PATH = '/timeline';

/**
 * GET /timeline?user=&from=&to=&workloads=&after=&limit=: `user`, or both
 * `from` and `to`, or all three. The window is [from, to) on `occurredAt`.
 */
export const UnifiedTimelineWireQuerySchema = z
  .object({
    user: SipUriSchema.optional().describe('only events that concern this user'),
    from: IsoInstantSchema.optional().describe('inclusive lower bound on occurredAt; required without user'),
    to: IsoInstantSchema.optional().describe('exclusive upper bound on occurredAt; required without user'),
    workloads: WorkloadListSchema.optional().describe('comma-separated: im,presence,calls,conferences,registrations,directory,voice'),
    after: LogPositionSchema.transform((p) => BigInt(p)).optional().describe('a log position: the `next` of the previous page'),
    limit: pageLimitSchema(MAX_UNIFIED_TIMELINE_PAGE),
  })
  .superRefine((q, ctx) => {
    if (q.user === undefined) {
      if (q.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'required when no user is given' });
      if (q.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'required when no user is given' });
    }
    if (q.from !== undefined && q.to !== undefined && Date.parse(q.to) <= Date.parse(q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from (the window is [from, to))' });
  });
export type UnifiedTimelineWireQuery = z.input<typeof UnifiedTimelineWireQuerySchema>;

export const UnifiedTimelineItemSchema = z.object({
  position: LogPositionSchema,
  occurredAt: IsoInstantSchema,
  workload: WorkloadSchema,
  eventType: z.string(),
  streamId: z.string(),
  /** Compact, per event type; never secrets or IM bodies. */
  summary: z.record(z.string(), z.unknown()),
  /** Every user the event concerns, with the parts they played (`caller`, `watcher`, …). */
  parties: z.array(z.object({ sipUri: z.string(), as: z.array(z.string()) })),
});

export const UnifiedTimelinePageSchema = z.object({
  /** In log order. */
  items: z.array(UnifiedTimelineItemSchema),
  /** Pass as `after` for the next page; null when this page was the last. */
  next: LogPositionSchema.nullable(),
});
export type UnifiedTimelinePageBody = z.infer<typeof UnifiedTimelinePageSchema>;
