import { EVENT_COLUMNS } from './event-row.ts';

// Every column below is qualified with the table alias `e`: EVENT_COLUMNS re-exposes
// positions as text under the same names, and an unqualified ORDER BY would sort
// those text aliases ('10' < '9').

/** Calls the append function; `$1` the batch as JSON text, `$2` whether to NOTIFY listeners. */
export const APPEND_BATCH = /* sql */ `SELECT chorus_append_batch($1::jsonb, $2::boolean) AS outcomes`;

/** `$1` stream, `$2` first version (inclusive), `$3` limit. */
export const READ_STREAM_FORWARD = /* sql */ `
SELECT ${EVENT_COLUMNS}
  FROM chorus_events e
 WHERE e.stream_id = $1 AND e.stream_version >= $2::bigint
 ORDER BY e.stream_version
 LIMIT $3`;

/** `$1` stream, `$2` first version (inclusive, going down), `$3` limit. */
export const READ_STREAM_BACKWARD = /* sql */ `
SELECT ${EVENT_COLUMNS}
  FROM chorus_events e
 WHERE e.stream_id = $1 AND e.stream_version <= $2::bigint
 ORDER BY e.stream_version DESC
 LIMIT $3`;

/**
 * `$1` exclusive position, `$2` LIKE patterns of type prefixes or NULL, `$3` categories or NULL, `$4` limit.
 * Reading `position > checkpoint` in position order is gap-safe because positions
 * become visible in numeric order (docs/event-log.md, "Ordering proof").
 */
export const READ_ALL = /* sql */ `
SELECT ${EVENT_COLUMNS}
  FROM chorus_events e
 WHERE e.global_position > $1::bigint
   AND ($2::text[] IS NULL OR e.event_type LIKE ANY ($2::text[]))
   AND ($3::text[] IS NULL OR e.category = ANY ($3::text[]))
 ORDER BY e.global_position
 LIMIT $4`;

export const HEAD_POSITION = /* sql */ `SELECT coalesce(max(global_position), 0)::text AS head FROM chorus_events`;
