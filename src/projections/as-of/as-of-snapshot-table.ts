import type { SqlClient } from '../../storage/sql-client.ts';

/**
 * One row per snapshot of the as-of fold. `position` is the global position
 * of the last event folded in; `events` how many events of the as-of
 * categories it holds (the snapshot cadence counts these, so two writers
 * cut at the same positions). The recordedAt bounds (epoch ms) let a query
 * at instant T pick its start and skip intervals that hold nothing ≤ T:
 * `max_recorded_ms` is the highest recordedAt of every event up to
 * `position`, `interval_min_recorded_ms` the lowest of the events since the
 * previous snapshot.
 */
export const AS_OF_SNAPSHOT_TABLE = 'as_of_snapshots';

const CREATE = /* sql */ `
CREATE TABLE IF NOT EXISTS ${AS_OF_SNAPSHOT_TABLE} (
  format int NOT NULL,
  position int8 NOT NULL,
  events int8 NOT NULL,
  max_recorded_ms int8 NOT NULL,
  interval_min_recorded_ms int8 NOT NULL,
  state bytea NOT NULL,
  PRIMARY KEY (format, position)
);
CREATE INDEX IF NOT EXISTS as_of_snapshots_max_recorded ON ${AS_OF_SNAPSHOT_TABLE} (format, max_recorded_ms);
`;

export interface SnapshotRow {
  readonly position: bigint;
  readonly events: bigint;
  readonly maxRecordedMs: number;
  readonly intervalMinRecordedMs: number;
  readonly state: Uint8Array;
}

/** Where a query at an instant starts and which logged intervals it must read (see AsOfSnapshots). */
export interface SnapshotPlan {
  /** The latest snapshot all of whose events were recorded at or before the instant; null: start from empty. */
  readonly base: SnapshotRow | null;
  /** End of the last interval holding an event recorded at or before the instant; 0n when none. */
  readonly lastRelevantEnd: bigint;
  /** Position of the newest snapshot; 0n when there is none. */
  readonly newest: bigint;
}

const num = (v: unknown): bigint => BigInt(v as string | number | bigint);

/** The snapshot rows of one fold format, on the read-model database (PGlite or PostgreSQL). */
export class AsOfSnapshotTable {
  readonly #client: SqlClient;
  readonly #format: number;
  #ready: Promise<void> | null = null;

  constructor(client: SqlClient, format: number) {
    this.#client = client;
    this.#format = format;
  }

  ensure(): Promise<void> {
    this.#ready ??= this.#client.exec(CREATE).catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  async newest(): Promise<SnapshotRow | null> {
    await this.ensure();
    const { rows } = await this.#client.query(
      `SELECT position::text AS position, events::text AS events, max_recorded_ms::text AS max_ms,
              interval_min_recorded_ms::text AS min_ms, state
         FROM ${AS_OF_SNAPSHOT_TABLE} WHERE format = $1 ORDER BY position DESC LIMIT 1`,
      [this.#format],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Idempotent: a snapshot is a function of the log, so a second writer's identical row is skipped. */
  async insert(row: SnapshotRow): Promise<void> {
    await this.#client.query(
      `INSERT INTO ${AS_OF_SNAPSHOT_TABLE} (format, position, events, max_recorded_ms, interval_min_recorded_ms, state)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (format, position) DO NOTHING`,
      [this.#format, String(row.position), String(row.events), String(row.maxRecordedMs), String(row.intervalMinRecordedMs), row.state],
    );
  }

  /** One round trip: the bounds and the base snapshot's row. */
  async plan(cutoffMs: number): Promise<SnapshotPlan> {
    await this.ensure();
    const { rows } = await this.#client.query(
      `WITH bounds AS (
         SELECT
           (SELECT max(position) FROM ${AS_OF_SNAPSHOT_TABLE} WHERE format = $1 AND interval_min_recorded_ms <= $2) AS last_end,
           (SELECT max(position) FROM ${AS_OF_SNAPSHOT_TABLE} WHERE format = $1) AS newest,
           (SELECT max(position) FROM ${AS_OF_SNAPSHOT_TABLE} WHERE format = $1 AND max_recorded_ms <= $2) AS base)
       SELECT b.last_end::text AS last_end, b.newest::text AS newest, s.position::text AS position, s.events::text AS events,
              s.max_recorded_ms::text AS max_ms, s.interval_min_recorded_ms::text AS min_ms, s.state
         FROM bounds b LEFT JOIN ${AS_OF_SNAPSHOT_TABLE} s ON s.format = $1 AND s.position = b.base`,
      [this.#format, String(cutoffMs)],
    );
    const r = rows[0];
    const lastEnd = r?.['last_end'];
    const newest = r?.['newest'];
    return {
      base: r && r['position'] !== null && r['position'] !== undefined ? toRow(r) : null,
      lastRelevantEnd: typeof lastEnd === 'string' ? num(lastEnd) : 0n,
      newest: typeof newest === 'string' ? num(newest) : 0n,
    };
  }

  async count(): Promise<number> {
    await this.ensure();
    const { rows } = await this.#client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${AS_OF_SNAPSHOT_TABLE} WHERE format = $1`, [
      this.#format,
    ]);
    return Number(rows[0]?.n ?? 0);
  }
}

function toRow(raw: Record<string, unknown>): SnapshotRow {
  return {
    position: num(raw['position']),
    events: num(raw['events']),
    maxRecordedMs: Number(raw['max_ms']),
    intervalMinRecordedMs: Number(raw['min_ms']),
    state: raw['state'] as Uint8Array,
  };
}
