import { ApiErrorSchema } from '../api-error.ts';
import type { WriteAccepted } from '../contract/write-contract.ts';

/**
 * Error answers every write route documents: 400 bad input (issue paths), 401
 * no or wrong token, 403/404/409/410/412/422 a domain refusal (see
 * src/commands/dispatch/domain-error-status.ts). The body is always ApiError.
 */
export const WRITE_ERROR_RESPONSES = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  410: ApiErrorSchema,
  412: ApiErrorSchema,
  422: ApiErrorSchema,
} as const;

/** The wire form of a dispatch outcome: the position as a decimal string (bigint does not fit a JSON number). */
export function writeAccepted(outcome: { readonly position: bigint; readonly written: boolean }): WriteAccepted {
  return { position: String(outcome.position), written: outcome.written };
}
