import { z } from 'zod';
import type { EventCatalogue } from '../../catalogue.ts';
import { EventIdSchema, NewEventMetadataSchema } from '../../envelope.ts';
import type { EventShape } from '../../envelope.ts';
import { InvalidArgumentError, InvalidEventError } from '../../errors.ts';
import { ExpectedVersionSchema } from '../../expected-version.ts';
import type { ExpectedVersion } from '../../expected-version.ts';
import { assertValidStreamName } from '../../stream-name.ts';

/**
 * One `append` call, validated and serialised for `chorus_append_batch`. Built
 * before any SQL runs, so bad input fails alone with a typed error and nothing
 * is written; the JSON is built once and spliced into the batch payload as is.
 */
export interface PreparedAppend {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly eventCount: number;
  /** `{"streamId":…,"expectedVersion":…,"events":[…]}` — one element of the function's input array. */
  readonly json: string;
}

const EnvelopeSchema = z.strictObject({
  id: EventIdSchema,
  type: z.string(),
  data: z.unknown(),
  metadata: NewEventMetadataSchema,
});

/** PostgreSQL's jsonb cannot hold U+0000; refuse it here instead of failing the whole batch in SQL. */
const JsonbStorable = z.unknown().superRefine((value, ctx) => {
  const visit = (v: unknown, path: (string | number)[]): void => {
    if (typeof v === 'string') {
      if (v.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: 'contains U+0000, which jsonb cannot store' });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...path, i]));
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: 'a key contains U+0000' });
        visit(item, [...path, k]);
      }
    }
  };
  visit(value, []);
});

export function prepareAppend<E extends EventShape>(
  catalogue: EventCatalogue<E>,
  streamId: unknown,
  events: unknown,
  expectedVersion: unknown,
): PreparedAppend {
  assertValidStreamName(streamId);
  const expected = ExpectedVersionSchema.safeParse(expectedVersion);
  if (!expected.success)
    throw new InvalidArgumentError(
      `expectedVersion must be a version >= 0, 'no_stream', 'exists' or 'any'; got ${JSON.stringify(expectedVersion)}`,
    );
  if (!Array.isArray(events) || events.length === 0)
    throw new InvalidArgumentError('append needs at least one event');

  const seen = new Set<string>();
  const encoded = events.map((raw: unknown) => {
    const envelope = EnvelopeSchema.safeParse(raw);
    if (!envelope.success) {
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : '(no type)';
      throw new InvalidEventError(type, envelope.error.issues);
    }
    const { id, type, data, metadata } = envelope.data;
    // Postgres prints uuids in lower case; normalise so ids read back equal to what was written.
    const eventId = id.toLowerCase();
    if (seen.has(eventId)) throw new InvalidArgumentError(`event id ${eventId} appears twice in one append`);
    seen.add(eventId);
    const event = catalogue.encode(type, data);
    const storable = JsonbStorable.safeParse({ data: event.data, metadata });
    if (!storable.success) throw new InvalidEventError(type, storable.error.issues);
    return { id: eventId, type: event.type, data: event.data, metadata };
  });

  let json: string;
  try {
    json = JSON.stringify({ streamId, expectedVersion: expected.data, events: encoded });
  } catch (err) {
    // e.g. a bigint or a cycle in data that its schema let through
    throw new InvalidArgumentError(`events of ${streamId} are not JSON-serialisable: ${(err as Error).message}`);
  }
  return { streamId, expectedVersion: expected.data, eventCount: encoded.length, json };
}
