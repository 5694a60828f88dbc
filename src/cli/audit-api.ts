import { z } from 'zod';
import { ApiErrorSchema } from '../api/api-error.ts';
import { EXPORT_PATH, EXPORT_UP_TO_HEADER } from '../api/contract/export-contract.ts';
import { UNIFIED_TIMELINE_PATH, UnifiedTimelinePageSchema, type UnifiedTimelinePageBody } from '../api/contract/unified-timeline-contract.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from './api-client-errors.ts';

export interface AuditApiOptions {
  /** e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  readonly adminToken?: string;
  /** Until the answer's headers arrive; the export body may then stream for as long as it takes. Default 30 s. */
  readonly timeoutMs?: number;
}

/** An export the server has begun to send. */
export interface ExportDownload {
  /** The last log position the server reads (its head when the request arrived). */
  readonly upTo: bigint;
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * The timeline and export routes over HTTP, with the same errors as the
 * ChorusApiClient (so `chorus` reports them alike and falls back to the log
 * when no server answers). Separate because the export is a stream, not JSON.
 */
export class AuditApi {
  readonly #baseUrl: string;
  readonly #adminToken: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: AuditApiOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#adminToken = options.adminToken;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async timeline(query: URLSearchParams): Promise<UnifiedTimelinePageBody> {
    const response = await this.#get(UNIFIED_TIMELINE_PATH, query, 'timeline');
    const parsed = UnifiedTimelinePageSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new ApiProtocolError('timeline', parsed.error.issues);
    return parsed.data;
  }

  async export(query: URLSearchParams): Promise<ExportDownload> {
    const response = await this.#get(EXPORT_PATH, query, 'export');
    const upTo = z
      .string()
      .regex(/^(0|[1-9][0-9]*)$/)
      .safeParse(response.headers.get(EXPORT_UP_TO_HEADER));
    if (!upTo.success || response.body === null) {
      await response.body?.cancel();
      throw new ApiProtocolError('export', upTo.success ? [{ code: 'custom', path: ['body'], message: 'no body', input: null }] : upTo.error.issues);
    }
    return { upTo: BigInt(upTo.data), body: response.body };
  }

  async #get(path: string, query: URLSearchParams, what: string): Promise<Response> {
    const url = new URL(this.#baseUrl + path);
    url.search = query.toString();
    const headers: Record<string, string> = {};
    if (this.#adminToken !== undefined) headers['authorization'] = `Bearer ${this.#adminToken}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('timed out')), this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: abort.signal });
    } catch (error) {
      throw new ApiUnreachableError(this.#baseUrl, error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error));
    } finally {
      // Only the wait for the headers is bounded: a long export keeps streaming.
      clearTimeout(timer);
    }
    if (!response.ok) {
      const body = ApiErrorSchema.safeParse(await response.json().catch(() => undefined));
      throw new ApiRequestError(response.status, body.success ? body.data : undefined, what);
    }
    return response;
  }
}
