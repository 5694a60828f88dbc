import { z } from 'zod';
import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { RELAY_SCHEMA_LOCK_KEY } from '../../events/store/sql/lock-keys.ts';

/**
 * One row per relay (named after its topic by default), in the LOG's database:
 * the global position of the last event the broker acknowledged. It only moves
 * forward and only after the acknowledgement, so a crash between the two makes
 * the restarted relay publish a few events again (at-least-once), never skip one.
 */
const CREATE_RELAY_CHECKPOINTS = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_relay_checkpoints (
  name       text        PRIMARY KEY,
  position   bigint      NOT NULL CHECK (position >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

/** Same scheme as the other Chorus advisory locks: "chorus" + purpose 0x0020 (relay schema). */
const RELAY_SCHEMA_LOCK = `SELECT pg_advisory_xact_lock(${RELAY_SCHEMA_LOCK_KEY})`;

const INSERT_IF_MISSING = /* sql */ `
INSERT INTO chorus_relay_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`;

const SELECT_POSITION = /* sql */ `SELECT position::text AS position FROM chorus_relay_checkpoints WHERE name = $1`;

// GREATEST: two relays of one topic (a misconfiguration, but harmless) never move it back.
const ADVANCE = /* sql */ `
UPDATE chorus_relay_checkpoints SET position = GREATEST(position, $2::bigint), updated_at = now() WHERE name = $1`;

const PositionRow = z.object({ position: z.string().regex(/^[0-9]+$/).transform((s) => BigInt(s)) });

type Queryable = Pick<SqlTransaction, 'query'>;

/** Creates the table and the relay's row if missing; returns the stored position. */
export async function openRelayCheckpoint(client: SqlClient, name: string): Promise<bigint> {
  await client.transaction(async (tx) => {
    await tx.query(RELAY_SCHEMA_LOCK);
    await tx.exec(CREATE_RELAY_CHECKPOINTS);
    await tx.query(INSERT_IF_MISSING, [name]);
  });
  return readRelayCheckpoint(client, name);
}

export async function readRelayCheckpoint(db: Queryable, name: string): Promise<bigint> {
  const row = (await db.query(SELECT_POSITION, [name])).rows[0];
  if (!row) throw new Error(`relay checkpoint ${name} is missing`);
  return PositionRow.parse(row).position;
}

export async function advanceRelayCheckpoint(db: Queryable, name: string, position: bigint): Promise<void> {
  await db.query(ADVANCE, [name, position.toString()]);
}
