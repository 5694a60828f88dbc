import { APPEND_LOCK_KEY, EVENTS_CHANNEL } from './lock-keys.ts';

/**
 * The event log's schema, as an ordered list of migrations. A migration, once
 * released, is never edited: change the schema by appending a new one. The
 * migrator records each applied version in `chorus_schema_migrations`.
 *
 * The same SQL runs on PGlite and PostgreSQL (>= 12 for generated columns).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * `global_position` is an identity column with CACHE 1 (the default, spelled out
 * because it matters): with a per-session cache two sessions would hold disjoint
 * ranges, and allocation order would no longer follow lock order, which the
 * ordering proof in docs/event-log.md relies on.
 *
 * `chorus_streams.version` is the version of the stream's last event; a stream
 * with no row has no events (`no_stream`).
 */
const CREATE_EVENT_LOG = /* sql */ `
CREATE TABLE chorus_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY,
  event_id        uuid   NOT NULL UNIQUE,
  stream_id       text   NOT NULL,
  stream_version  bigint NOT NULL CHECK (stream_version >= 0),
  event_type      text   NOT NULL,
  data            jsonb  NOT NULL,
  metadata        jsonb  NOT NULL,
  category        text   NOT NULL GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED,
  UNIQUE (stream_id, stream_version)
);
-- readAll filters: both keep global order inside the index so a filtered scan is an index range.
CREATE INDEX chorus_events_type_idx ON chorus_events (event_type text_pattern_ops, global_position);
CREATE INDEX chorus_events_category_idx ON chorus_events (category, global_position);

CREATE TABLE chorus_streams (
  stream_id text   PRIMARY KEY,
  version   bigint NOT NULL CHECK (version >= 0)
);
`;

/**
 * The whole append path as one function so a batch of appends is ONE round trip.
 *
 * Input: a JSON array of `{ streamId, expectedVersion, events: [{ id, type, data, metadata }] }`,
 * already validated by the adapter. Output: a JSON array, one result per append, in order:
 *   { status: 'ok',          positions: [text...], nextVersion }
 *   { status: 'duplicate',   positions: [text...], nextVersion }   -- every id already stored, same content
 *   { status: 'conflict',    actual: <version> | null }             -- expected version did not hold
 *   { status: 'id_conflict', eventId, detail }                      -- an id re-used with other content / partial overlap
 * A failing append is a result, not an exception, so it never aborts its neighbours in the batch.
 *
 * Positions travel as text: JSON numbers lose precision past 2^53 and the adapter returns bigint.
 */
const CREATE_APPEND_FUNCTION = /* sql */ `
CREATE FUNCTION chorus_append_batch(p_appends jsonb, p_notify boolean)
RETURNS jsonb
LANGUAGE plpgsql
-- Every lookup here is a point query on a unique index. Without this, plans cached
-- while the log was small (or just truncated) can stay sequential scans until the
-- next ANALYZE, making each append O(log size).
SET enable_seqscan = off
AS $chorus_append$
DECLARE
  v_index        integer;
  v_append       jsonb;
  v_stream       text;
  v_expected     jsonb;
  v_events       jsonb;
  v_ids          uuid[];
  v_head         bigint;
  v_count        integer;
  v_current      bigint;
  v_expected_ok  boolean;
  v_found        integer;
  v_any_known    boolean;
  v_same         integer;
  v_ordered      boolean;
  v_first_bad    text;
  v_positions    jsonb;
  v_last_version bigint;
  v_in_order     boolean;
  v_wrote        boolean := false;
  v_results      jsonb := '[]'::jsonb;
  v_recorded_at  text := to_char(transaction_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- Serialises position allocation AND commit: held until this transaction ends,
  -- so positions become visible in numeric order (proof: docs/event-log.md).
  PERFORM pg_advisory_xact_lock(${APPEND_LOCK_KEY});

  -- Indexing instead of FOR … IN SELECT: no cursor per call.
  FOR v_index IN 0 .. jsonb_array_length(p_appends) - 1 LOOP
    v_append   := p_appends->v_index;
    v_stream   := v_append->>'streamId';
    v_expected := v_append->'expectedVersion';
    v_events   := v_append->'events';
    v_count    := jsonb_array_length(v_events);

    -- 1. Idempotency by event id. Rows written by earlier appends of this batch are visible here.
    --    The common case (no id known) costs one unique-index probe per id; only a hit pays for the
    --    comparison. "= ANY (v_ids)" keeps the planner on the index however large the log grows.
    --    The same statement fetches the stream's version for step 2: one executor round, not two.
    v_ids := ARRAY(SELECT (value->>'id')::uuid FROM jsonb_array_elements(v_events));
    v_found := 0;
    SELECT (SELECT s.version FROM chorus_streams s WHERE s.stream_id = v_stream),
           EXISTS (SELECT 1 FROM chorus_events e WHERE e.event_id = ANY (v_ids))
      INTO v_current, v_any_known;
    IF v_any_known THEN
      SELECT count(*),
             count(*) FILTER (WHERE e.stream_id = v_stream AND e.event_type = n.ev->>'type' AND e.data = n.ev->'data'),
             array_agg(e.stream_version ORDER BY n.ord) = array_agg(e.stream_version ORDER BY e.stream_version),
             (array_agg(n.ev->>'id' ORDER BY n.ord)
                FILTER (WHERE NOT (e.stream_id = v_stream AND e.event_type = n.ev->>'type' AND e.data = n.ev->'data')))[1],
             jsonb_agg(e.global_position::text ORDER BY n.ord),
             max(e.stream_version)
        INTO v_found, v_same, v_ordered, v_first_bad, v_positions, v_last_version
        FROM chorus_events e
        JOIN jsonb_array_elements(v_events) WITH ORDINALITY AS n(ev, ord) ON e.event_id = (n.ev->>'id')::uuid
       WHERE e.event_id = ANY (v_ids);
    END IF;

    IF v_found > 0 THEN
      IF v_found = v_count AND v_same = v_count AND v_ordered THEN
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'status', 'duplicate', 'positions', v_positions, 'nextVersion', v_last_version));
      ELSIF v_first_bad IS NOT NULL THEN
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'status', 'id_conflict', 'eventId', v_first_bad,
          'detail', 'other content (a different stream, type or data)'));
      ELSIF v_found < v_count THEN
        SELECT n.ev->>'id' INTO v_first_bad
          FROM chorus_events e
          JOIN jsonb_array_elements(v_events) WITH ORDINALITY AS n(ev, ord) ON e.event_id = (n.ev->>'id')::uuid
         WHERE e.event_id = ANY (v_ids)
         ORDER BY n.ord LIMIT 1;
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'status', 'id_conflict', 'eventId', v_first_bad,
          'detail', format('another append (%s of these %s events are already stored)', v_found, v_count)));
      ELSE
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'status', 'id_conflict', 'eventId', v_events->0->>'id',
          'detail', 'the same events in a different order'));
      END IF;
      CONTINUE;
    END IF;

    -- 2. Optimistic concurrency against v_current (NULL: no stream), read in step 1.
    --    No row lock needed: the advisory lock already excludes other appenders.
    CASE jsonb_typeof(v_expected)
      WHEN 'number' THEN v_expected_ok := v_current IS NOT NULL AND v_current = (v_expected)::bigint;
      WHEN 'string' THEN
        CASE v_expected #>> '{}'
          WHEN 'no_stream' THEN v_expected_ok := v_current IS NULL;
          WHEN 'exists'    THEN v_expected_ok := v_current IS NOT NULL;
          WHEN 'any'       THEN v_expected_ok := true;
          ELSE RAISE EXCEPTION 'chorus_append_batch: bad expectedVersion %', v_expected;
        END CASE;
      ELSE RAISE EXCEPTION 'chorus_append_batch: bad expectedVersion %', v_expected;
    END CASE;
    IF NOT v_expected_ok THEN
      v_results := v_results || jsonb_build_array(jsonb_build_object('status', 'conflict', 'actual', v_current));
      CONTINUE;
    END IF;

    -- 3. Write. ORDER BY ord makes the identity values follow the stream order; the
    --    check below turns any violation of that into an error rather than a silent misorder.
    v_last_version := coalesce(v_current, -1) + v_count;
    WITH inserted AS (
      INSERT INTO chorus_events (event_id, stream_id, stream_version, event_type, data, metadata)
      SELECT (n.ev->>'id')::uuid,
             v_stream,
             coalesce(v_current, -1) + n.ord,
             n.ev->>'type',
             n.ev->'data',
             (n.ev->'metadata') || jsonb_build_object('recordedAt', v_recorded_at)
        FROM jsonb_array_elements(v_events) WITH ORDINALITY AS n(ev, ord)
       ORDER BY n.ord
      RETURNING global_position, stream_version
    ), bumped AS (
      INSERT INTO chorus_streams (stream_id, version) VALUES (v_stream, v_last_version)
        ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version
    )
    SELECT jsonb_agg(global_position::text ORDER BY stream_version),
           array_agg(global_position ORDER BY stream_version) = array_agg(global_position ORDER BY global_position),
           max(global_position)
      INTO v_positions, v_in_order, v_head
      FROM inserted;
    IF NOT v_in_order THEN
      RAISE EXCEPTION 'chorus_append_batch: positions of stream % were not allocated in stream order', v_stream;
    END IF;

    v_wrote := true;
    v_results := v_results || jsonb_build_array(jsonb_build_object(
      'status', 'ok', 'positions', v_positions, 'nextVersion', v_last_version));
  END LOOP;

  -- Delivered by PostgreSQL only at COMMIT, so a listener never hears of an uncommitted event.
  IF p_notify AND v_wrote THEN
    PERFORM pg_notify('${EVENTS_CHANNEL}', v_head::text);
  END IF;
  RETURN v_results;
END
$chorus_append$;
`;

export const EVENT_LOG_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'create_event_log', sql: CREATE_EVENT_LOG },
  { version: 2, name: 'create_append_function', sql: CREATE_APPEND_FUNCTION },
];
