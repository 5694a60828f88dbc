import { z } from 'zod';
import type { EventShape } from '../../events/envelope.ts';
import {
  clearFailure,
  ensureCheckpointTable,
  readCheckpoint,
  resetCheckpoint,
} from '../../projections/framework/projection-checkpoints.ts';
import type { SqlProjection } from '../../projections/framework/sql-projection.ts';
import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { POOL_PROJECTION_SCHEMA_LOCK_KEY } from '../../events/store/sql/lock-keys.ts';

/**
 * Which SQL projections the Pool's projectors own, and in which EPOCH: every
 * time the projector (re)creates a projection's tables the epoch goes up, and
 * the consumer group is named after it, so the new group reads the topic from
 * its first offset while offsets committed for the old tables are ignored.
 */
const CREATE_POOL_PROJECTIONS = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_pool_projections (
  name       text        PRIMARY KEY,
  version    integer     NOT NULL CHECK (version >= 1),
  epoch      integer     NOT NULL CHECK (epoch >= 1),
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * The per-(projection, stream) version guard: the stream version of the last
 * event of that stream the projection applied. Written in the transaction that
 * writes the read model, so a redelivered message (Kafka after a rebalance, the
 * relay after a crash) finds its version already there and applies nothing.
 */
const CREATE_STREAM_VERSIONS = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_projection_stream_versions (
  projection text    NOT NULL,
  stream_id  text    NOT NULL,
  version    integer NOT NULL CHECK (version >= 0),
  PRIMARY KEY (projection, stream_id)
)`;

/** "chorus" + purpose 0x0021 (pool projector schema), as in src/events/store/sql/lock-keys.ts. */
const POOL_SCHEMA_LOCK = `SELECT pg_advisory_xact_lock(${POOL_PROJECTION_SCHEMA_LOCK_KEY})`;

const SELECT_OWNER = /* sql */ `SELECT version, epoch FROM chorus_pool_projections WHERE name = $1`;
const LOCK_OWNER = `${SELECT_OWNER} FOR UPDATE`;
const UPSERT_OWNER = /* sql */ `
INSERT INTO chorus_pool_projections (name, version, epoch, updated_at) VALUES ($1, $2, $3, now())
ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, epoch = EXCLUDED.epoch, updated_at = EXCLUDED.updated_at`;
const DELETE_GUARDS = /* sql */ `DELETE FROM chorus_projection_stream_versions WHERE projection = $1`;

export const SELECT_STREAM_VERSIONS = /* sql */ `
SELECT stream_id, version FROM chorus_projection_stream_versions
WHERE projection = $1 AND stream_id = ANY($2::text[])`;

// Only forward: two workers racing through a rebalance can never move a guard back.
export const UPSERT_STREAM_VERSIONS = /* sql */ `
INSERT INTO chorus_projection_stream_versions (projection, stream_id, version)
SELECT $1, s, v FROM unnest($2::text[], $3::int[]) AS t(s, v)
ON CONFLICT (projection, stream_id) DO UPDATE SET version = EXCLUDED.version
WHERE chorus_projection_stream_versions.version < EXCLUDED.version`;

const OwnerRow = z.object({ version: z.number().int().positive(), epoch: z.number().int().positive() });
export type PoolProjectionOwner = z.infer<typeof OwnerRow>;

export const StreamVersionRow = z.object({ stream_id: z.string(), version: z.number().int().nonnegative() });

type Queryable = Pick<SqlTransaction, 'query'>;

/** Reads and row-locks the owner row until the transaction ends; null when the pool does not own it. */
export async function lockOwner(tx: Queryable, name: string): Promise<PoolProjectionOwner | null> {
  const row = (await tx.query(LOCK_OWNER, [name])).rows[0];
  return row ? OwnerRow.parse(row) : null;
}

/**
 * Makes the projection's tables ready for the Pool and returns its epoch.
 * Safe to run from several projector processes at once (one advisory lock):
 * the first one to find the projection missing, of another version, or never
 * owned by the Pool (e.g. built by a Standard Edition, whose runner tracked a
 * global position but no stream versions) drops and recreates its tables in
 * the same transaction that bumps the epoch; the others find it ready.
 */
export async function preparePoolProjection<E extends EventShape>(
  client: SqlClient,
  projection: SqlProjection<E>,
): Promise<{ readonly epoch: number; readonly reset: boolean }> {
  await ensureCheckpointTable(client);
  const { name, version, tables, schema } = projection;
  return client.transaction(async (tx) => {
    await tx.query(POOL_SCHEMA_LOCK);
    await tx.exec(CREATE_POOL_PROJECTIONS);
    await tx.exec(CREATE_STREAM_VERSIONS);
    const ownerRow = (await tx.query(SELECT_OWNER, [name])).rows[0];
    const owner = ownerRow ? OwnerRow.parse(ownerRow) : null;
    const checkpoint = await readCheckpoint(tx, name);
    const ready = owner !== null && owner.version === version && checkpoint !== null && checkpoint.version === version;
    if (ready) {
      if (checkpoint.status === 'failed') await clearFailure(tx, name, version);
      return { epoch: owner.epoch, reset: false };
    }
    await tx.exec(`DROP TABLE IF EXISTS ${tables.map((t) => `"${t}"`).join(', ')} CASCADE`);
    await tx.exec(schema);
    await resetCheckpoint(tx, name, version, 'active');
    await tx.query(DELETE_GUARDS, [name]);
    const epoch = (owner?.epoch ?? 0) + 1;
    await tx.query(UPSERT_OWNER, [name, version, epoch]);
    return { epoch, reset: true };
  });
}
