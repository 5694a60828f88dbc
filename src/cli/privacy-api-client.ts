import type { z } from 'zod';
import { ApiErrorSchema } from '../api/api-error.ts';
import {
  ForgetAcceptedSchema,
  PlaceLegalHoldRequestSchema,
  PrivacyStatusSchema,
  privacyPath,
  type ForgetAccepted,
  type PrivacyStatusAnswer,
} from '../api/contract/privacy-contract.ts';
import { WriteAcceptedSchema, type WriteAccepted } from '../api/contract/write-contract.ts';
import { SipUriSchema } from '../events/domain/primitives.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from './api-client-errors.ts';

export interface PrivacyApiClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  readonly adminToken?: string;
  /** Per request. Default 30 s: a forget compacts the key table. */
  readonly timeoutMs?: number;
}

/**
 * The privacy routes of the HTTP API (src/api/routes/privacy-routes.ts), for
 * `chorus user forget|hold|release`. Requests and answers are checked with the
 * contract schemas; failures are the same errors ChorusApiClient throws.
 */
export class PrivacyApiClient {
  readonly #baseUrl: string;
  readonly #adminToken: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: PrivacyApiClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#adminToken = options.adminToken;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  forget(sipUri: string): Promise<ForgetAccepted> {
    const uri = SipUriSchema.parse(sipUri);
    return this.#request('POST', privacyPath(uri, 'forget'), undefined, ForgetAcceptedSchema, `forget ${uri}`);
  }

  placeHold(sipUri: string, reason: string): Promise<WriteAccepted> {
    const uri = SipUriSchema.parse(sipUri);
    const body = PlaceLegalHoldRequestSchema.parse({ reason });
    return this.#request('POST', privacyPath(uri, 'legal-hold'), body, WriteAcceptedSchema, `hold ${uri}`);
  }

  releaseHold(sipUri: string, reason: string): Promise<WriteAccepted> {
    const uri = SipUriSchema.parse(sipUri);
    const path = `${privacyPath(uri, 'legal-hold')}?${new URLSearchParams({ reason }).toString()}`;
    return this.#request('DELETE', path, undefined, WriteAcceptedSchema, `release ${uri}`);
  }

  status(sipUri: string): Promise<PrivacyStatusAnswer> {
    const uri = SipUriSchema.parse(sipUri);
    return this.#request('GET', privacyPath(uri, 'legal-hold'), undefined, PrivacyStatusSchema, `privacy status of ${uri}`);
  }

  async #request<S extends z.ZodType>(method: string, path: string, body: unknown, answer: S, what: string): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#adminToken !== undefined) headers['authorization'] = `Bearer ${this.#adminToken}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.#baseUrl + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiUnreachableError(this.#baseUrl, error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : cause);
    }
    const text = await response.text();
    let payload: unknown = undefined;
    try {
      payload = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      payload = text;
    }
    if (!response.ok) {
      const error = ApiErrorSchema.safeParse(payload);
      throw new ApiRequestError(response.status, error.success ? error.data : undefined, what);
    }
    const parsed = answer.safeParse(payload);
    if (!parsed.success) throw new ApiProtocolError(what, parsed.error.issues);
    return parsed.data;
  }
}
