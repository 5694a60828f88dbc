import { z } from 'zod';

/** Rows per page when a paged query omits `limit`. */
export const DEFAULT_PAGE_LIMIT = 100;

/**
 * `limit` of a paged GET: a query string is text, so the wire form is a
 * decimal string (no signs, exponents or hex, which `z.coerce` would accept),
 * checked against the read model's own bound.
 */
export function pageLimitSchema(max: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,6}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .optional()
    .describe(`rows per page, 1 to ${max}; default ${DEFAULT_PAGE_LIMIT}`);
}
