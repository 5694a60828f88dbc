import type { AllStreamResolvedEvent, ResolvedEvent } from '@eventstore/db-client';
import { toGlobalPosition } from './positions.ts';

/**
 * One event as EventStoreDB returned it, reduced to the fields this adapter
 * uses. This is the typed boundary: the client's union of JSON and binary
 * recorded events (and optional link/position fields) stops here.
 */
export interface StoredRecord {
  /** The ESDB stream name (includes the store's namespace, if any). */
  readonly esdbStream: string;
  /** Lower-case UUID, as the server formats it. */
  readonly id: string;
  readonly type: string;
  /** 0-based revision in the stream = our streamVersion. */
  readonly revision: bigint;
  /** Commit position in $all, or null when the server did not report one. */
  readonly position: bigint | null;
  /** Server clock at commit; becomes `metadata.recordedAt`. */
  readonly created: Date;
  /** Parsed JSON for JSON events; raw bytes for binary ones (which the catalogue will reject). */
  readonly data: unknown;
  readonly metadata: unknown;
}

/**
 * Unwraps a resolved event. Returns null when there is no event to look at
 * (a link whose target was deleted): this store never writes links and reads
 * with `resolveLinkTos: false`, so only foreign data can produce one.
 */
export function toStoredRecord(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredRecord | null {
  const event = resolved.event;
  if (!event) return null;
  return {
    esdbStream: event.streamId,
    id: event.id.toLowerCase(),
    type: event.type,
    revision: event.revision,
    position: toGlobalPosition(event.position),
    created: event.created,
    data: event.data,
    metadata: event.metadata,
  };
}

/** ESDB reserves `$`-prefixed streams and event types for itself (stats, settings, projections, links). */
export function isSystemRecord(record: Pick<StoredRecord, 'esdbStream' | 'type'>): boolean {
  return record.esdbStream.startsWith('$') || record.type.startsWith('$');
}

/**
 * The record's $all position. Events read from $all always carry one; events
 * read from a stream carry one only from EventStoreDB 22.6 on.
 */
export function requirePosition(record: StoredRecord): bigint {
  if (record.position === null)
    throw new Error(
      `EventStoreDB sent no $all position for ${record.esdbStream}@${record.revision}; ` +
        'reading positions from streams needs EventStoreDB 22.6 or later',
    );
  return record.position;
}
