/** The log is not one the audit covers (EventStoreDB keeps no chorus_events table here). Answered as 409. */
export class AuditUnavailableError extends Error {
  readonly code = 'audit_unavailable';
  readonly httpStatus = 409;

  constructor(message: string) {
    super(message);
    this.name = 'AuditUnavailableError';
  }
}
