import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgClient } from '../../../src/storage/pg-client.ts';

/**
 * Where a Standard Edition under test keeps its log (and read models): PGlite
 * in a fresh temporary directory, or PostgreSQL (when DATABASE_URL is set) in
 * a fresh schema of that database, reached through `search_path` — every
 * `place()` starts from an EMPTY log and nothing is shared between tests.
 */
export interface EditionBackend {
  readonly name: 'pglite' | 'postgres';
  /** Why the backend cannot run here (its tests are skipped with this reason), or null. */
  readonly skip: string | null;
  /** A new empty place for a log: the environment variables that point an edition at it. */
  place(): Promise<EditionPlace>;
}

export interface EditionPlace {
  readonly env: Record<string, string>;
  /** Removes the directory or schema. */
  dispose(): Promise<void>;
}

const pglite: EditionBackend = {
  name: 'pglite',
  skip: null,
  async place() {
    const dir = await mkdtemp(join(tmpdir(), 'chorus-edition-'));
    return {
      env: { CHORUS_STORE: 'pglite', CHORUS_DATA_DIR: dir },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const databaseUrl = process.env['DATABASE_URL'];

const postgres: EditionBackend = {
  name: 'postgres',
  skip: databaseUrl ? null : 'DATABASE_URL is not set',
  async place() {
    if (!databaseUrl) throw new Error('DATABASE_URL is not set');
    const schema = `chorus_api_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const admin = new PgClient({ connectionString: databaseUrl, max: 1, applicationName: 'chorus-api-test-admin' });
    try {
      await admin.exec(`CREATE SCHEMA "${schema}"`);
    } finally {
      await admin.close();
    }
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return {
      env: { CHORUS_STORE: 'postgres', DATABASE_URL: url.toString() },
      async dispose() {
        const cleanup = new PgClient({ connectionString: databaseUrl, max: 1, applicationName: 'chorus-api-test-admin' });
        try {
          await cleanup.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await cleanup.close();
        }
      },
    };
  },
};

export const editionBackends: readonly EditionBackend[] = [pglite, postgres];
