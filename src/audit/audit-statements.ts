/**
 * Every ORDER BY names its table alias: the positions are re-exposed as text
 * under the same column names, and an unqualified ORDER BY would sort those
 * text aliases ('10' < '9').
 *
 * SQL of the chain keeper and the verifier. Positions travel as text (exact
 * bigint on both clients), hashes as lower-case hex (`encode`/`decode`), and the
 * event's jsonb as its canonical text (`data::text`), which is what is hashed.
 */

/** One stored event as hashed; selected from `chorus_events e`. */
export const RAW_EVENT_COLUMNS = /* sql */ `
  e.global_position::text     AS position,
  e.event_id::text            AS event_id,
  e.stream_id,
  e.stream_version::text      AS stream_version,
  e.event_type,
  e.data::text                AS data,
  e.metadata::text            AS metadata,
  e.metadata->>'recordedAt'   AS recorded_at`;

export const SELECT_CHAIN_HEAD = /* sql */ `
SELECT position::text AS position, seq::text AS seq, encode(chain_hash, 'hex') AS chain_hash
  FROM chorus_audit_chain c ORDER BY c.position DESC LIMIT 1`;

/** `$1` exclusive upper bound: the chained event just before a verified range. */
export const SELECT_CHAIN_BEFORE = /* sql */ `
SELECT position::text AS position, seq::text AS seq, encode(chain_hash, 'hex') AS chain_hash
  FROM chorus_audit_chain c WHERE c.position < $1::bigint ORDER BY c.position DESC LIMIT 1`;

export const SELECT_LAST_CHECKPOINT = /* sql */ `
SELECT position::text AS position, seq::text AS seq, signed_at
  FROM chorus_audit_checkpoints c ORDER BY c.position DESC LIMIT 1`;

/** `$1` exclusive position, `$2` limit. Gap-safe for the same reason as readAll (docs/event-log.md). */
export const SELECT_EVENTS_AFTER = /* sql */ `
SELECT ${RAW_EVENT_COLUMNS}
  FROM chorus_events e
 WHERE e.global_position > $1::bigint
 ORDER BY e.global_position
 LIMIT $2`;

export const INSERT_CHAIN_ROWS = /* sql */ `
INSERT INTO chorus_audit_chain (position, seq, prev_position, event_id, event_hash, chain_hash)
SELECT u.p, u.s, u.pp, u.id, decode(u.eh, 'hex'), decode(u.ch, 'hex')
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::uuid[], $5::text[], $6::text[]) AS u(p, s, pp, id, eh, ch)`;

export const INSERT_CHECKPOINT = /* sql */ `
INSERT INTO chorus_audit_checkpoints (position, seq, chain_hash, key_id, signature, signed_at)
VALUES ($1::bigint, $2::bigint, decode($3, 'hex'), $4, decode($5, 'hex'), $6::timestamptz)`;

export const RECORD_KEY = /* sql */ `
INSERT INTO chorus_audit_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`;

export const SELECT_KEYS = /* sql */ `SELECT key_id, public_key FROM chorus_audit_keys`;

/** `$1`, `$2` inclusive position bounds. */
export const SELECT_CHECKPOINTS_IN = /* sql */ `
SELECT position::text AS position, seq::text AS seq, encode(chain_hash, 'hex') AS chain_hash,
       key_id, encode(signature, 'hex') AS signature
  FROM chorus_audit_checkpoints c
 WHERE c.position >= $1::bigint AND c.position <= $2::bigint
 ORDER BY c.position`;

/** Checkpoints past the chain's head: the chain (and the log) lost its tail. */
export const SELECT_FIRST_CHECKPOINT_AFTER = /* sql */ `
SELECT c.position::text AS position FROM chorus_audit_checkpoints c WHERE c.position > $1::bigint ORDER BY c.position LIMIT 1`;

export const SELECT_LOG_HEAD = /* sql */ `SELECT coalesce(max(global_position), 0)::text AS head FROM chorus_events`;

/**
 * Events of positions ($1, $2] with the chain row at the same position, if any,
 * in position order. A merge join of two primary-key ranges that is already in
 * position order: no sort (a FULL JOIN would need one, and spilled to disk).
 */
export const SELECT_WINDOW_EVENTS = /* sql */ `
SELECT ${RAW_EVENT_COLUMNS},
       c.seq::text AS chain_seq, c.prev_position::text AS chain_prev, c.event_id::text AS chain_event_id,
       encode(c.event_hash, 'hex') AS chain_event_hash, encode(c.chain_hash, 'hex') AS chain_hash
  FROM chorus_events e
  -- The range is repeated on c so its index scan is bounded too (not implied through a LEFT JOIN).
  LEFT JOIN chorus_audit_chain c
         ON c.position = e.global_position AND c.position > $1::bigint AND c.position <= $2::bigint
 WHERE e.global_position > $1::bigint AND e.global_position <= $2::bigint
 ORDER BY e.global_position`;

/**
 * Chain rows of positions ($1, $2) whose event is gone, in position order.
 * Only asked when a chain row's link shows something is missing before it.
 */
export const SELECT_WINDOW_ORPHANS = /* sql */ `
SELECT c.position::text AS position, c.seq::text AS chain_seq, c.prev_position::text AS chain_prev,
       c.event_id::text AS chain_event_id, encode(c.event_hash, 'hex') AS chain_event_hash,
       encode(c.chain_hash, 'hex') AS chain_hash
  FROM chorus_audit_chain c
 WHERE c.position > $1::bigint AND c.position < $2::bigint
   AND NOT EXISTS (SELECT 1 FROM chorus_events e WHERE e.global_position = c.position)
 ORDER BY c.position`;

/** The next position holding an event or a chain row after `$1`: skips a long gap in one step. */
export const SELECT_NEXT_POSITION = /* sql */ `
SELECT least((SELECT min(global_position) FROM chorus_events WHERE global_position > $1::bigint),
             (SELECT min(position) FROM chorus_audit_chain WHERE position > $1::bigint))::text AS next`;

/** Where an event id was chained (only asked about the first misplaced event; a scan is fine). */
export const SELECT_CHAINED_POSITION_OF = /* sql */ `
SELECT position::text AS position FROM chorus_audit_chain WHERE event_id = $1::uuid LIMIT 1`;
