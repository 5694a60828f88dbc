import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../events/domain/primitives.ts';
import { WORKLOADS, WorkloadSchema } from '../projections/audit-timeline/workload.ts';

export const EXPORT_FORMATS = ['jsonl', 'csv', 'html'] as const;
export const ExportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

/**
 * Which events a compliance export holds. Every field narrows; none given:
 * the whole log. Normalised (users sorted and deduplicated, instants in UTC,
 * workloads in WORKLOADS order), so two filters that mean the same produce
 * byte-equal files.
 */
export const ExportFilterSchema = z
  .strictObject({
    /** Events that concern any of these users (named, or a party of the call, conference or IM session). Default: everyone. */
    users: z.array(SipUriSchema).max(1_000).default([]),
    /** Inclusive lower bound on `occurredAt`. Default: none. */
    from: IsoInstantSchema.optional(),
    /** Exclusive upper bound on `occurredAt`. Default: none. */
    to: IsoInstantSchema.optional(),
    /** Default: every workload. */
    workloads: z.array(WorkloadSchema).min(1).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.from !== undefined && f.to !== undefined && Date.parse(f.to) <= Date.parse(f.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from (the window is [from, to))' });
  })
  .transform((f) => ({
    users: [...new Set(f.users)].sort(),
    from: f.from === undefined ? null : new Date(f.from).toISOString(),
    to: f.to === undefined ? null : new Date(f.to).toISOString(),
    workloads: f.workloads === undefined ? [...WORKLOADS] : WORKLOADS.filter((w) => f.workloads!.includes(w)),
  }));
export type ExportFilterInput = z.input<typeof ExportFilterSchema>;
export type ExportFilter = z.output<typeof ExportFilterSchema>;
