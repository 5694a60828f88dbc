import { EventStoreError } from '../../errors.ts';

/** A call reached a store after `close()`. (Candidate for src/events/errors.ts; kept here to stay in this area.) */
export class EventStoreClosedError extends EventStoreError {
  readonly code = 'event_store_closed';
  constructor(kind: string) {
    super(`the ${kind} event store is closed`);
    this.name = 'EventStoreClosedError';
  }
}
