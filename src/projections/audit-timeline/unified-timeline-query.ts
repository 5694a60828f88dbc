import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { WorkloadSchema, WORKLOADS } from './workload.ts';

export const MAX_UNIFIED_TIMELINE_PAGE = 1_000;

/**
 * What a unified timeline page asks for: one user's events, or everyone's in
 * the window [from, to) (or both). Keyset paging by global log position:
 * `after` is the `next` of the previous page, so a page never shifts when
 * events are appended meanwhile. Validated with issue paths per field, so the
 * HTTP route and the CLI report the same problems.
 */
export const UnifiedTimelineQuerySchema = z
  .strictObject({
    /** Only events that concern this user (named, or a party of the call, conference or IM session). */
    user: SipUriSchema.optional(),
    /** Inclusive lower bound on the event's `occurredAt`. Required without `user`. */
    from: IsoInstantSchema.optional(),
    /** Exclusive upper bound on `occurredAt`. Required without `user`. */
    to: IsoInstantSchema.optional(),
    /** Only these workloads; omitted: all of them. */
    workloads: z.array(WorkloadSchema).min(1).optional(),
    /** Events after this log position; omitted: from the start. */
    after: z.bigint().min(0n).optional(),
    /** 1…1000. */
    limit: z.number().int().min(1).max(MAX_UNIFIED_TIMELINE_PAGE),
  })
  .superRefine((q, ctx) => {
    if (q.user === undefined) {
      if (q.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'required when no user is given' });
      if (q.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'required when no user is given' });
    }
    if (q.from !== undefined && q.to !== undefined && Date.parse(q.to) <= Date.parse(q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from (the window is [from, to))' });
  })
  .transform((q) => ({
    ...q,
    // Normalised so that equal filters give equal SQL parameters and equal cache keys.
    from: q.from === undefined ? undefined : new Date(q.from).toISOString(),
    to: q.to === undefined ? undefined : new Date(q.to).toISOString(),
    workloads: q.workloads === undefined ? undefined : WORKLOADS.filter((w) => q.workloads!.includes(w)),
  }));
export type UnifiedTimelineQuery = z.input<typeof UnifiedTimelineQuerySchema>;
export type ValidUnifiedTimelineQuery = z.output<typeof UnifiedTimelineQuerySchema>;
