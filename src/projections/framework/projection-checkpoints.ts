import { z } from 'zod';
import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { PROJECTION_SCHEMA_LOCK_KEY } from '../../events/store/sql/lock-keys.ts';

/**
 * Held (transaction-scoped) while the checkpoint table is created: concurrent
 * `CREATE TABLE IF NOT EXISTS` can still collide in PostgreSQL's catalogue.
 * Same scheme as src/events/store/sql/lock-keys.ts: "chorus" + purpose 0x0010.
 */

/**
 * One row per SQL projection. `position` is the global position of the last
 * event the projection's tables reflect; it is written in the same transaction
 * as those tables, which is the whole exactly-once argument. A runner past a
 * stretch of events its projection ignores writes that position later (see
 * ProjectionRunnerOptions.idleCheckpointIntervalMs): the row may then lag the
 * runner, never the tables.
 *
 * `status`: `active` (incremental), `rebuilding` (tables were reset and are
 * catching up from 0; survives a crash so the restart reports it), `failed`
 * (stopped on an error, kept in `error`). `updated_at` is operational only and
 * never read back into a projection.
 */
const CREATE_CHECKPOINTS = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_projection_checkpoints (
  name       text        PRIMARY KEY,
  position   bigint      NOT NULL CHECK (position >= 0),
  version    integer     NOT NULL CHECK (version >= 1),
  status     text        NOT NULL CHECK (status IN ('active', 'rebuilding', 'failed')),
  error      text,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

const TAKE_SCHEMA_LOCK = `SELECT pg_advisory_xact_lock(${PROJECTION_SCHEMA_LOCK_KEY})`;

const SELECT_CHECKPOINT = /* sql */ `
SELECT name, position, version, status, error FROM chorus_projection_checkpoints WHERE name = $1`;

// Row lock: two runners of one projection serialise here, and the second sees the first's position.
const LOCK_CHECKPOINT = `${SELECT_CHECKPOINT} FOR UPDATE`;

const UPSERT_CHECKPOINT = /* sql */ `
INSERT INTO chorus_projection_checkpoints (name, position, version, status, error, updated_at)
VALUES ($1, $2, $3, $4, NULL, now())
ON CONFLICT (name) DO UPDATE
  SET position = EXCLUDED.position, version = EXCLUDED.version, status = EXCLUDED.status,
      error = NULL, updated_at = EXCLUDED.updated_at`;

const ADVANCE_CHECKPOINT = /* sql */ `
UPDATE chorus_projection_checkpoints SET position = $2, status = $3, error = NULL, updated_at = now() WHERE name = $1`;

// Moves only forward, only from at least where this runner last wrote it (a checkpoint another
// process moved back is that process's rebuild, not ours to overwrite), and only on active rows.
const ADVANCE_IDLE_CHECKPOINT = /* sql */ `
UPDATE chorus_projection_checkpoints SET position = $3, updated_at = now()
WHERE name = $1 AND version = $2 AND status = 'active' AND position >= $4 AND position < $3
RETURNING name`;

const MARK_ACTIVE = /* sql */ `
UPDATE chorus_projection_checkpoints SET status = 'active', updated_at = now()
WHERE name = $1 AND version = $2 AND status = 'rebuilding'`;

const CLEAR_FAILURE = /* sql */ `
UPDATE chorus_projection_checkpoints SET status = 'active', error = NULL, updated_at = now()
WHERE name = $1 AND version = $2 AND status = 'failed'`;

const MARK_FAILED = /* sql */ `
UPDATE chorus_projection_checkpoints SET status = 'failed', error = $3, updated_at = now() WHERE name = $1 AND version = $2`;

export type CheckpointStatus = 'active' | 'rebuilding' | 'failed';

// PGlite returns int8 values in the safe range as numbers, pg as bigints; accept both.
const Int8 = z.union([z.bigint(), z.number().int()]).transform((v) => BigInt(v));

const CheckpointRow = z.object({
  name: z.string(),
  position: Int8.pipe(z.bigint().nonnegative()),
  version: z.number().int().positive(),
  status: z.enum(['active', 'rebuilding', 'failed']),
  error: z.string().nullable(),
});
export type Checkpoint = z.infer<typeof CheckpointRow>;

type Queryable = Pick<SqlTransaction, 'query'>;

/** Creates the checkpoint table if missing; safe to call from several processes at once. */
export async function ensureCheckpointTable(client: SqlClient): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(TAKE_SCHEMA_LOCK);
    await tx.exec(CREATE_CHECKPOINTS);
  });
}

export async function readCheckpoint(db: Queryable, name: string): Promise<Checkpoint | null> {
  const row = (await db.query(SELECT_CHECKPOINT, [name])).rows[0];
  return row ? CheckpointRow.parse(row) : null;
}

/** Reads and row-locks the checkpoint until the transaction ends. */
export async function lockCheckpoint(tx: Queryable, name: string): Promise<Checkpoint | null> {
  const row = (await tx.query(LOCK_CHECKPOINT, [name])).rows[0];
  return row ? CheckpointRow.parse(row) : null;
}

/** Creates or overwrites the row: a fresh projection or a rebuild starts at `position`. */
export async function resetCheckpoint(
  tx: Queryable,
  name: string,
  version: number,
  status: Exclude<CheckpointStatus, 'failed'>,
  position = 0n,
): Promise<void> {
  await tx.query(UPSERT_CHECKPOINT, [name, position, version, status]);
}

export async function advanceCheckpoint(
  tx: Queryable,
  name: string,
  position: bigint,
  status: Exclude<CheckpointStatus, 'failed'>,
): Promise<void> {
  await tx.query(ADVANCE_CHECKPOINT, [name, position, status]);
}

/**
 * Persists a position the runner reached through events its projection ignores
 * (no table changed since `persisted`, the position it last wrote). A no-op when
 * the row is already at or past `position`, was moved back below `persisted`,
 * or is not the active row of `version`: skipping ignored events is then still
 * somebody else's to record. Returns whether the row was written.
 */
export async function advanceIdleCheckpoint(
  db: Queryable,
  name: string,
  version: number,
  position: bigint,
  persisted: bigint,
): Promise<boolean> {
  return (await db.query(ADVANCE_IDLE_CHECKPOINT, [name, version, position, persisted])).rows.length > 0;
}

/** A rebuild reached the head; only the version that rebuilt may clear the flag. */
export async function markActive(db: Queryable, name: string, version: number): Promise<void> {
  await db.query(MARK_ACTIVE, [name, version]);
}

/** A runner resumes after a failure: the tables are those of the last good batch, so they are active again. */
export async function clearFailure(db: Queryable, name: string, version: number): Promise<void> {
  await db.query(CLEAR_FAILURE, [name, version]);
}

export async function markFailed(db: Queryable, name: string, version: number, error: string): Promise<void> {
  await db.query(MARK_FAILED, [name, version, error.slice(0, 4_000)]);
}
