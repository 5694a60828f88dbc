import { ApiErrorSchema, type ApiErrorBody } from '../api-error.ts';

/**
 * Error answers every query route documents: 400 bad query or path (issue
 * paths), 401 no or wrong token, 404 the user or item named does not exist.
 */
export const QUERY_ERROR_RESPONSES = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  404: ApiErrorSchema,
} as const;

/** The 404 of a user the directory does not know: the same code the write routes answer (`not_provisioned`). */
export function notProvisioned(sipUri: string): ApiErrorBody {
  return { error: 'not_provisioned', message: `${sipUri} is not a provisioned user`, sipUri };
}
