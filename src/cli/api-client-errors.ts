import type { z } from 'zod';
import type { ApiErrorBody } from '../api/api-error.ts';

/** No HTTP answer at all: nothing listens, DNS failed, or the request timed out. */
export class ApiUnreachableError extends Error {
  readonly kind = 'unreachable';
  constructor(readonly url: string, readonly reason: string) {
    super(`no Chorus server answers at ${url} (${reason})`);
    this.name = 'ApiUnreachableError';
  }
}

/** The server answered with an error status; `body` is its ApiError when it sent one. */
export class ApiRequestError extends Error {
  readonly kind = 'refused';
  constructor(readonly status: number, readonly body: ApiErrorBody | undefined, what: string) {
    super(`${what}: HTTP ${status}${body ? ` ${body.error}: ${body.message}` : ''}`);
    this.name = 'ApiRequestError';
  }
}

/** The server answered 2xx with a body that does not match the contract (version skew or a bug). */
export class ApiProtocolError extends Error {
  readonly kind = 'protocol';
  constructor(what: string, readonly issues: readonly z.core.$ZodIssue[]) {
    super(`${what}: unexpected answer (${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')})`);
    this.name = 'ApiProtocolError';
  }
}

export type ApiClientError = ApiUnreachableError | ApiRequestError | ApiProtocolError;

export function isApiClientError(error: unknown): error is ApiClientError {
  return error instanceof ApiUnreachableError || error instanceof ApiRequestError || error instanceof ApiProtocolError;
}
