import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { ExportFormatSchema } from '../../compliance/export-filter.ts';
import { WorkloadListSchema } from '../../projections/audit-timeline/workload.ts';

export const EXPORT_PATH = '/export';

/** The last log position an export read, so a client can draw progress while the body streams. */
export const EXPORT_UP_TO_HEADER = 'x-chorus-export-up-to';

/**
 * GET /export?format=&user=&user=&from=&to=&workloads=: `user` repeats (a SIP
 * user part may hold a comma, so it is not a list). The window is [from, to).
 */
export const ExportQuerySchema = z
  .object({
    format: ExportFormatSchema.describe('jsonl (the events), csv (fixed columns) or html (a report per user)'),
    user: z
      .union([SipUriSchema, z.array(SipUriSchema).max(1_000)])
      .optional()
      .describe('repeat for several users; omitted: everyone'),
    from: IsoInstantSchema.optional().describe('inclusive lower bound on occurredAt'),
    to: IsoInstantSchema.optional().describe('exclusive upper bound on occurredAt'),
    workloads: WorkloadListSchema.optional().describe('comma-separated: im,presence,calls,conferences,registrations,directory,voice,privacy'),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && Date.parse(q.to) <= Date.parse(q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from (the window is [from, to))' });
  });
export type ExportWireQuery = z.input<typeof ExportQuerySchema>;
