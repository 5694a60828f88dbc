/**
 * A stream holds an event its aggregate does not know. The log is the truth, so
 * this is never skipped: deciding on a partial history could break invariants.
 */
export class CorruptStreamError extends Error {
  readonly code = 'corrupt_stream';
  constructor(
    readonly streamId: string,
    readonly streamVersion: number,
    readonly eventType: string,
    aggregate: string,
  ) {
    super(`stream ${streamId} holds ${eventType} at version ${streamVersion}, which the ${aggregate} aggregate does not know`);
    this.name = 'CorruptStreamError';
  }
}
