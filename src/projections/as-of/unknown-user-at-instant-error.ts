/** The user was never provisioned up to the instant asked about (or the log holds no such user). */
export class UnknownUserAtInstantError extends Error {
  readonly code = 'unknown_user';
  readonly httpStatus = 404;

  constructor(
    readonly sipUri: string,
    readonly at: string,
  ) {
    super(`no user ${sipUri} was provisioned at ${at}`);
    this.name = 'UnknownUserAtInstantError';
  }
}
