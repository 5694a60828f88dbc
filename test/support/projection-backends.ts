import pg from 'pg';
import type { SqlClient } from '../../src/storage/sql-client.ts';
import { PgClient } from '../../src/storage/pg-client.ts';
import { PgliteClient } from '../../src/storage/pglite-client.ts';

/** A read-model database for the projection framework's tests. */
export interface ReadModelBackend {
  readonly name: 'pglite' | 'postgres';
  /** Why the backend cannot run here (its tests are skipped with this reason), or null. */
  readonly skip: string | null;
  /** A client for a whole suite (PGlite takes seconds to boot, so tests share one). */
  open(): Promise<SqlClient>;
  /** Empties the database between tests: drops every table in the public schema. */
  reset(client: SqlClient): Promise<void>;
}

/**
 * The suite's own database, named after DATABASE_URL's (`chorus_ci` →
 * `chorus_ci_projections`), so two checkouts pointed at different databases
 * never drop each other's tables.
 */
function testDatabaseName(base: string): string {
  const name = new URL(base).pathname.replace(/^\//, '') || 'chorus';
  if (!/^[a-z0-9_]{1,40}$/.test(name)) throw new Error(`DATABASE_URL names database ${JSON.stringify(name)}; use [a-z0-9_]`);
  return `${name}_projections`;
}

/** DATABASE_URL with its database swapped for this suite's own. */
function testDatabaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/${testDatabaseName(base)}`;
  return url.toString();
}

async function ensureDatabase(base: string): Promise<void> {
  const TEST_DATABASE = testDatabaseName(base);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEST_DATABASE]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${TEST_DATABASE}`).catch((e: unknown) => {
      // Another process created it between the check and the CREATE.
      if (!(e instanceof Error && /already exists/.test(e.message))) throw e;
    });
  } finally {
    await admin.end();
  }
}

const DROP_EVERYTHING = /* sql */ `DROP SCHEMA public CASCADE; CREATE SCHEMA public;`;

export const pgliteBackend: ReadModelBackend = {
  name: 'pglite',
  skip: null,
  open: () => PgliteClient.open(),
  reset: (client) => client.exec(DROP_EVERYTHING),
};

const databaseUrl = process.env['DATABASE_URL'];

export const postgresBackend: ReadModelBackend = {
  name: 'postgres',
  skip: databaseUrl ? null : 'DATABASE_URL is not set',
  async open() {
    if (!databaseUrl) throw new Error('DATABASE_URL is not set');
    await ensureDatabase(databaseUrl);
    return new PgClient({ connectionString: testDatabaseUrl(databaseUrl), max: 4, applicationName: 'chorus-projections-test' });
  },
  reset: (client) => client.exec(DROP_EVERYTHING),
};

export const readModelBackends: readonly ReadModelBackend[] = [pgliteBackend, postgresBackend];
