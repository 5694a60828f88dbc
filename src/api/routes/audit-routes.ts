import type { AuditKeyRing } from '../../audit/audit-keys.ts';
import { verifyAuditLog } from '../../audit/audit-verifier.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { ApiErrorSchema } from '../api-error.ts';
import {
  AUDIT_VERIFY_PATH,
  AuditVerifyQuerySchema,
  AuditVerifyResultSchema,
  toAuditVerifyResult,
  type AuditVerifyResult,
} from '../contract/audit-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';

export interface AuditRoutesOptions {
  /** The log's database (the read-model client: it is the same database on PGlite and PostgreSQL). */
  readonly client: SqlClient;
  /** Keys checkpoint signatures must come from; null: those recorded in the log (the answer says `trust: log`). */
  readonly trustedKeys: AuditKeyRing | null;
}

/**
 * GET /audit/verify?from=&to=: recomputes the audit hash chain over the range
 * and checks the signed checkpoints (src/audit). Reads only; it reads every
 * event of the range, so it sits behind the admin token.
 */
export function auditRoutes({ client, trustedKeys }: AuditRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      AUDIT_VERIFY_PATH,
      {
        schema: {
          summary: 'Verify the tamper-evident hash chain of the event log',
          description:
            'Recomputes each event hash and the chain from the events, compares them with the stored chain and the signed ' +
            'checkpoints. 200 with ok=false and firstProblem when the log was tampered with.',
          tags: ['audit'],
          querystring: AuditVerifyQuerySchema,
          response: { 200: AuditVerifyResultSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 409: ApiErrorSchema },
        },
      },
      async (request): Promise<AuditVerifyResult> => {
        const { from, to } = AuditVerifyQuerySchema.parse(request.query);
        const report = await verifyAuditLog(client, {
          trustedKeys,
          ...(from === undefined ? {} : { from: BigInt(from) }),
          ...(to === undefined ? {} : { to: BigInt(to) }),
        });
        return toAuditVerifyResult(report);
      },
    );
  };
}
