import { ApiErrorSchema } from '../api/api-error.ts';
import { AUDIT_VERIFY_PATH, AuditVerifyResultSchema, type AuditVerifyQuery, type AuditVerifyResult } from '../api/contract/audit-contract.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from './api-client-errors.ts';

export interface AuditVerifyClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  readonly adminToken?: string;
  /**
   * The whole verification runs inside the request. Default 1 hour. (Node's
   * fetch also gives up after 300 s without response headers: verify very
   * large logs offline, or in --from/--to ranges.)
   */
  readonly timeoutMs?: number;
}

/** Thrown when a server answered the connection but not in time: NOT a reason to open the log offline. */
export class AuditVerifyTimeoutError extends Error {
  constructor(baseUrl: string) {
    super(`${baseUrl} did not finish verifying in time; verify a smaller --from/--to range`);
    this.name = 'AuditVerifyTimeoutError';
  }
}

/**
 * GET /audit/verify over HTTP, with the errors `chorus` already reports
 * (ApiUnreachableError only when no server answers, which is what sends the
 * command to the log itself).
 */
export class AuditVerifyClient {
  readonly #baseUrl: string;
  readonly #adminToken: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: AuditVerifyClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#adminToken = options.adminToken;
    this.#timeoutMs = options.timeoutMs ?? 3_600_000;
  }

  async verify(query: AuditVerifyQuery): Promise<AuditVerifyResult> {
    const url = new URL(this.#baseUrl + AUDIT_VERIFY_PATH);
    if (query.from !== undefined) url.searchParams.set('from', query.from);
    if (query.to !== undefined) url.searchParams.set('to', query.to);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#adminToken !== undefined) headers['authorization'] = `Bearer ${this.#adminToken}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') throw new AuditVerifyTimeoutError(this.#baseUrl);
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
      if (cause !== null && cause.name === 'HeadersTimeoutError') throw new AuditVerifyTimeoutError(this.#baseUrl);
      throw new ApiUnreachableError(this.#baseUrl, cause?.message ?? (error instanceof Error ? error.message : String(error)));
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const body = ApiErrorSchema.safeParse(payload);
      throw new ApiRequestError(response.status, body.success ? body.data : undefined, 'audit verify');
    }
    const parsed = AuditVerifyResultSchema.safeParse(payload);
    if (!parsed.success) throw new ApiProtocolError('audit verify', parsed.error.issues);
    return parsed.data;
  }
}
