import { isDeepStrictEqual } from 'node:util';
import type { EventCatalogue } from '../../catalogue.ts';
import { EventMetadataSchema } from '../../envelope.ts';
import type { EventMetadata, EventShape, NewEventMetadata, RecordedEvent } from '../../envelope.ts';
import { InvalidEventError } from '../../errors.ts';
import type { PreparedEvent } from './append-batch.ts';
import { toVersion } from './expected-revision.ts';
import { requirePosition } from './stored-record.ts';
import type { StoredRecord } from './stored-record.ts';

/**
 * What goes into ESDB's event metadata: ours, plus the `$correlationId` /
 * `$causationId` keys ESDB's own tooling (the `$by_correlation_id` projection,
 * the UI) understands. `$`-keys are ESDB's namespace and are dropped on read.
 */
export function toEsdbMetadata(metadata: NewEventMetadata): Record<string, unknown> {
  return {
    ...metadata,
    $correlationId: metadata.correlationId,
    ...(metadata.causationId === null ? {} : { $causationId: metadata.causationId }),
  };
}

function withoutEsdbKeys(metadata: unknown): unknown {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || metadata instanceof Uint8Array)
    return metadata;
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith('$')));
}

/** Metadata as stored, validated, with `recordedAt` from the server's commit clock. */
export function decodeMetadata(record: StoredRecord): EventMetadata {
  const stored = withoutEsdbKeys(record.metadata);
  const candidate =
    typeof stored === 'object' && stored !== null ? { ...stored, recordedAt: record.created.toISOString() } : stored;
  const result = EventMetadataSchema.safeParse(candidate);
  if (!result.success)
    throw new InvalidEventError(
      record.type,
      result.error.issues.map((issue) => ({ ...issue, path: ['metadata', ...issue.path] })),
    );
  return result.data;
}

/**
 * A stored record as a recorded event of the catalogue: upcast and validated
 * by `catalogue.decode`, metadata validated, versions and positions typed.
 */
export function decodeRecord<E extends EventShape>(
  catalogue: EventCatalogue<E>,
  record: StoredRecord,
  streamId: string,
): RecordedEvent<E> {
  const event = catalogue.decode(record.type, record.data);
  // RecordedEvent<E> distributes over the union; the catalogue guarantees `event` is one member of it.
  return {
    ...event,
    id: record.id,
    streamId,
    streamVersion: toVersion(record.revision),
    globalPosition: requirePosition(record),
    metadata: decodeMetadata(record),
  } as RecordedEvent<E>;
}

/**
 * Whether a stored record holds exactly what a retry is about to append. Data
 * and metadata are compared as JSON, which is how they were sent and stored.
 */
export function sameContent(record: StoredRecord, event: PreparedEvent): boolean {
  return (
    record.type === event.type &&
    isDeepStrictEqual(record.data, asJson(event.data)) &&
    isDeepStrictEqual(withoutEsdbKeys(record.metadata), asJson(event.metadata))
  );
}

function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
