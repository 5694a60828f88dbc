import { z } from 'zod';
import type { SqlClient } from '../../../storage/sql-client.ts';
import { MIGRATION_LOCK_KEY } from './lock-keys.ts';
import type { Migration } from './migrations.ts';

const TAKE_MIGRATION_LOCK = `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;

const CREATE_MIGRATIONS_TABLE = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

const SELECT_APPLIED = `SELECT version, name FROM chorus_schema_migrations ORDER BY version`;
const RECORD_APPLIED = `INSERT INTO chorus_schema_migrations (version, name) VALUES ($1, $2)`;

const AppliedRow = z.object({ version: z.coerce.number().int(), name: z.string() });

export class SchemaMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaMismatchError';
  }
}

/**
 * Brings the schema up to date in ONE transaction that first takes a
 * transaction-scoped advisory lock: two processes starting at once serialise
 * here, the second finds everything applied and does nothing. (A session lock
 * would need the same pooled connection for lock and unlock; the xact lock is
 * released by COMMIT/ROLLBACK, even if the process dies mid-migration.)
 *
 * Refuses to run against a database migrated by a newer build, or one whose
 * history names differ: both mean the code does not know the schema it sees.
 *
 * @returns the versions applied by this call.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[]): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query(TAKE_MIGRATION_LOCK);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
    const applied = new Map<number, string>();
    for (const row of (await tx.query(SELECT_APPLIED)).rows) {
      const { version, name } = AppliedRow.parse(row);
      applied.set(version, name);
    }
    const known = new Map(migrations.map((m) => [m.version, m.name]));
    for (const [version, name] of applied) {
      const expected = known.get(version);
      if (expected === undefined)
        throw new SchemaMismatchError(`database has migration ${version} (${name}) that this build does not know; upgrade Chorus`);
      if (expected !== name)
        throw new SchemaMismatchError(`database migration ${version} is ${name}, this build expects ${expected}`);
    }
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query(RECORD_APPLIED, [m.version, m.name]);
      done.push(m.version);
    }
    return done;
  });
}
