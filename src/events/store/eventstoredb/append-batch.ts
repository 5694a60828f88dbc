import type { z } from 'zod';
import type { EventCatalogue } from '../../catalogue.ts';
import { EventIdSchema, NewEventMetadataSchema } from '../../envelope.ts';
import type { EventShape, NewEventMetadata } from '../../envelope.ts';
import { InvalidArgumentError, InvalidEventError } from '../../errors.ts';
import { ExpectedVersionSchema } from '../../expected-version.ts';
import type { ExpectedVersion } from '../../expected-version.ts';
import { assertValidStreamName } from '../../stream-name.ts';

/** An event that passed every check and is ready to be sent. */
export interface PreparedEvent {
  /** Lower-case, as ESDB returns ids, so stored and new ids compare as strings. */
  readonly id: string;
  readonly type: string;
  /** The catalogue's parsed (normalised) data: what is stored and what a retry is compared with. */
  readonly data: unknown;
  readonly metadata: NewEventMetadata;
}

export interface AppendBatch {
  readonly streamId: string;
  readonly expected: ExpectedVersion;
  readonly events: readonly PreparedEvent[];
}

interface RawNewEvent {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly data?: unknown;
  readonly metadata?: unknown;
}

/**
 * Everything `append` can reject without the server, checked before any
 * network call so that bad input fails fast with a typed error and nothing is
 * written. Arguments are `unknown` because callers at the edges (HTTP, CLI,
 * tests) are not bound by our types.
 */
export function prepareAppend<E extends EventShape>(
  catalogue: EventCatalogue<E>,
  streamId: unknown,
  events: unknown,
  options: unknown,
): AppendBatch {
  assertValidStreamName(streamId);
  const expected = ExpectedVersionSchema.safeParse((options as { expectedVersion?: unknown } | undefined)?.expectedVersion);
  if (!expected.success)
    throw new InvalidArgumentError(`expectedVersion must be a version >= 0, 'no_stream', 'exists' or 'any'`);
  if (!Array.isArray(events) || events.length === 0)
    throw new InvalidArgumentError('append needs at least one event');

  const seen = new Set<string>();
  const prepared = (events as readonly RawNewEvent[]).map((event): PreparedEvent => {
    const type = typeof event?.type === 'string' ? event.type : String(event?.type);
    const { data } = catalogue.encode(type, event?.data);
    const id = EventIdSchema.safeParse(event?.id);
    if (!id.success) throw new InvalidEventError(type, under('id', id.error.issues));
    const metadata = NewEventMetadataSchema.safeParse(event?.metadata);
    if (!metadata.success) throw new InvalidEventError(type, under('metadata', metadata.error.issues));
    const normalisedId = id.data.toLowerCase();
    if (seen.has(normalisedId))
      throw new InvalidArgumentError(`event id ${normalisedId} appears more than once in one append`);
    seen.add(normalisedId);
    return { id: normalisedId, type, data, metadata: metadata.data };
  });
  return { streamId, expected: expected.data, events: prepared };
}

function under(field: string, issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((issue) => ({ ...issue, path: [field, ...issue.path] }));
}
