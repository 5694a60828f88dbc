import { z } from 'zod';
import { AUDIT_PROBLEM_KINDS } from '../../audit/audit-problem.ts';
import type { AuditVerification } from '../../audit/audit-verifier.ts';
import { LogPositionSchema } from './positions.ts';

/** GET /audit/verify?from=&to=: recompute the audit hash chain over a range of the log (docs/audit.md). */
export const AUDIT_VERIFY_PATH = '/audit/verify';

/** A position to verify from or to: 1-based, at most 19 digits (bigint). */
const RangePositionSchema = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a log position (an integer from 1)');

export const AuditVerifyQuerySchema = z
  .object({
    /** First position checked, inclusive. Default 1. */
    from: RangePositionSchema.optional(),
    /** Last position checked, inclusive. Default: the head of the chain. */
    to: RangePositionSchema.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || BigInt(q.from) <= BigInt(q.to), {
    path: ['from'],
    message: 'must not be after to',
  });
export type AuditVerifyQuery = z.infer<typeof AuditVerifyQuerySchema>;

export const AuditProblemSchema = z.object({
  kind: z.enum(AUDIT_PROBLEM_KINDS),
  position: LogPositionSchema,
  detail: z.string(),
});

/**
 * The verdict. 200 whatever it is: the request succeeded; `ok` says whether
 * the log is intact, `firstProblem` where it was first tampered with.
 */
export const AuditVerifyResultSchema = z.looseObject({
  ok: z.boolean(),
  from: LogPositionSchema,
  to: LogPositionSchema,
  chainHead: LogPositionSchema,
  logHead: LogPositionSchema,
  eventsChecked: z.number().int().min(0),
  checkpointsChecked: z.number().int().min(0),
  lastGoodCheckpoint: LogPositionSchema.nullable(),
  trust: z.enum(['configured', 'log']),
  warnings: z.array(z.string()),
  firstProblem: AuditProblemSchema.nullable(),
  /** At most 100, in position order. */
  problems: z.array(AuditProblemSchema),
  problemCount: z.number().int().min(0),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResultSchema>;

export function toAuditVerifyResult(v: AuditVerification): AuditVerifyResult {
  const problems = v.problems.map((p) => ({ kind: p.kind, position: String(p.position), detail: p.detail }));
  return {
    ok: v.ok,
    from: String(v.from),
    to: String(v.to),
    chainHead: String(v.chainHead),
    logHead: String(v.logHead),
    eventsChecked: v.eventsChecked,
    checkpointsChecked: v.checkpointsChecked,
    lastGoodCheckpoint: v.lastGoodCheckpoint === null ? null : String(v.lastGoodCheckpoint),
    trust: v.trust,
    warnings: [...v.warnings],
    firstProblem: problems[0] ?? null,
    problems,
    problemCount: v.problemCount,
  };
}
