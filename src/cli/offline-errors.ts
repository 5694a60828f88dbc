/**
 * A command cannot run against the event log directly (no server answered):
 * the log is in use by another process, absent, not SQL, or the operation has
 * no offline implementation. The message says what to do instead.
 */
export class OfflineUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfflineUnavailableError';
  }
}
