import { z } from 'zod';

/** One problem with the request: `path` is dotted (`line.uri`), empty for the value as a whole. */
export const ApiIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type ApiIssue = z.infer<typeof ApiIssueSchema>;

/**
 * The body of every error response. `error` is a stable snake_case code for
 * programs; `message` is for people. Loose, because some errors add fields
 * (`concurrency_conflict` carries `expected` and `actual`).
 */
export const ApiErrorSchema = z
  .looseObject({
    error: z.string().describe('stable snake_case error code, e.g. bad_request, unauthorized, concurrency_conflict'),
    message: z.string(),
    issues: z.array(ApiIssueSchema).optional(),
  })
  .meta({ id: 'ApiError' });
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

/** What an error becomes on the wire. */
export interface MappedApiError {
  readonly status: number;
  readonly body: ApiErrorBody;
}

/** Dotted path of a zod issue, the same rendering the API uses everywhere. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}
