/** A conference or call whose stream holds no event recorded up to the instant asked about (or no such stream). */
export class NotFoundAtInstantError extends Error {
  readonly code = 'not_found_at_instant';
  readonly httpStatus = 404;

  constructor(
    readonly kind: 'conference' | 'call',
    readonly id: string,
    readonly at: string,
  ) {
    super(`no ${kind} ${id} existed at ${at}`);
    this.name = 'NotFoundAtInstantError';
  }
}
