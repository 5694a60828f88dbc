import type { z } from 'zod';
import type { ExpectedVersion } from './expected-version.ts';

/** Base class so callers can tell log errors from everything else with one `instanceof`. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream was not at the version the writer expected. Nothing was written. */
export class ConcurrencyError extends EventStoreError {
  readonly code = 'concurrency_conflict';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** Last event version in the stream, or `'no_stream'` when it has none. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

/** An event id already in the log was re-used with other content (or in a different batch). */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'duplicate_event_id';
  constructor(readonly eventId: string, detail: string) {
    super(`event id ${eventId} is already in the log with ${detail}`);
    this.name = 'DuplicateEventIdError';
  }
}

export class InvalidStreamNameError extends EventStoreError {
  readonly code = 'invalid_stream_name';
  constructor(readonly streamId: string, reason: string) {
    super(`invalid stream name ${JSON.stringify(streamId.slice(0, 80))}: ${reason}`);
    this.name = 'InvalidStreamNameError';
  }
}

export class UnknownEventTypeError extends EventStoreError {
  readonly code = 'unknown_event_type';
  constructor(readonly eventType: string, reason = 'not in the event catalogue') {
    super(`event type ${JSON.stringify(eventType)}: ${reason}`);
    this.name = 'UnknownEventTypeError';
  }
}

/** Event data or metadata failed its zod schema; `issues` carries the paths. */
export class InvalidEventError extends EventStoreError {
  readonly code = 'invalid_event';
  constructor(readonly eventType: string, readonly issues: readonly z.core.$ZodIssue[]) {
    super(
      `event ${eventType} is invalid: ` +
        issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; '),
    );
    this.name = 'InvalidEventError';
  }
}

/** Arguments to a store call (limits, versions, positions) are out of range. */
export class InvalidArgumentError extends EventStoreError {
  readonly code = 'invalid_argument';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}
