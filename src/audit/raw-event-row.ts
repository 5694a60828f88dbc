import { z } from 'zod';
import type { StoredEventText } from './canonical-event.ts';

/** A row of RAW_EVENT_COLUMNS (src/audit/audit-statements.ts). */
export const RawEventRowSchema = z.object({
  position: z.string(),
  event_id: z.string(),
  stream_id: z.string(),
  stream_version: z.string(),
  event_type: z.string(),
  data: z.string(),
  metadata: z.string(),
  recorded_at: z.string().nullable(),
});
export type RawEventRow = z.infer<typeof RawEventRowSchema>;

export function toStoredEventText(row: RawEventRow): StoredEventText {
  return {
    position: row.position,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
