import { z } from 'zod';
import type { EventCatalogue } from '../../catalogue.ts';
import { EventMetadataSchema } from '../../envelope.ts';
import type { EventShape, RecordedEvent } from '../../envelope.ts';
import { InvalidEventError } from '../../errors.ts';

/**
 * The columns every read selects, in the shape both SQL clients return.
 * Positions are selected as text so they reach JS as exact bigints whatever the
 * driver does with int8 (PGlite returns JS numbers). Selected from `chorus_events e`.
 */
export const EVENT_COLUMNS = /* sql */ `
  e.global_position::text AS global_position,
  e.event_id::text        AS event_id,
  e.stream_id,
  e.stream_version::text  AS stream_version,
  e.event_type,
  e.data,
  e.metadata`;

const EventRowSchema = z.object({
  global_position: z.string().regex(/^[1-9][0-9]*$/),
  event_id: z.string(),
  stream_id: z.string(),
  stream_version: z.string().regex(/^(0|[1-9][0-9]*)$/),
  event_type: z.string(),
  data: z.unknown(),
  metadata: z.unknown(),
});

/**
 * A stored row → the current version of its event. Legacy types are upcast by
 * the catalogue; a row that no longer validates throws rather than reaching a
 * projection half-understood.
 */
export function decodeEventRow<E extends EventShape>(catalogue: EventCatalogue<E>, raw: unknown): RecordedEvent<E> {
  const row = EventRowSchema.parse(raw);
  const event = catalogue.decode(row.event_type, row.data);
  const metadata = EventMetadataSchema.safeParse(row.metadata);
  if (!metadata.success)
    throw new InvalidEventError(
      row.event_type,
      metadata.error.issues.map((issue) => ({ ...issue, path: ['metadata', ...issue.path] })),
    );
  return {
    ...event,
    id: row.event_id,
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position),
    metadata: metadata.data,
  } as RecordedEvent<E>;
}
