import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DomainWorkload } from '../../../bench/projections-workload.ts';
import type { CliContext } from '../../../src/cli/chorus-cli.ts';
import { createOfflineBackendOpener } from '../../../src/cli/offline-backend-opener.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import { defineSqlProjection, readCheckpoint, type Checkpoint } from '../../../src/projections/framework/index.ts';
import { PgClient } from '../../../src/storage/pg-client.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import pg from 'pg';
import { closedPort, runCliInProcess } from '../../support/cli-in-process.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EVENTS = 400;

/** A projection of provisioned users, so these tests do not depend on what the domain registry holds today. */
const CREATE_USERS = /* sql */ `
CREATE TABLE cli_test_users (sip_uri text PRIMARY KEY, display_name text NOT NULL, provisioned_at timestamptz NOT NULL)`;
const INSERT_USER = /* sql */ `INSERT INTO cli_test_users (sip_uri, display_name, provisioned_at) VALUES ($1, $2, $3)`;

const usersProjection = defineSqlProjection<DomainEvent, 'directory.user_provisioned.v1'>({
  name: 'cli_test_users',
  version: 1,
  tables: ['cli_test_users'],
  schema: CREATE_USERS,
  canHandle: ['directory.user_provisioned.v1'],
  async handle(events, tx) {
    for (const e of events) await tx.query(INSERT_USER, [e.data.sipUri, e.data.displayName, e.data.at]);
  },
});

/** Throws on the first call: a rebuild that fails must say so, exit 1 and leave the checkpoint `failed`. */
const brokenProjection = defineSqlProjection<DomainEvent, 'call.ended.v1'>({
  name: 'cli_test_broken',
  version: 1,
  tables: ['cli_test_broken'],
  schema: 'CREATE TABLE cli_test_broken (id text PRIMARY KEY)',
  canHandle: ['call.ended.v1'],
  handle() {
    return Promise.reject(new Error('cannot project this call'));
  },
});

const PROJECTIONS = [usersProjection, brokenProjection];


/** A PGlite data directory holding EVENTS domain events, closed again (as a stopped server leaves it). */
async function seedDataDir(dir: string): Promise<{ head: bigint; users: number }> {
  return seed(await PgliteEventStore.open({ dataDir: dir, catalogue: domainCatalogue }));
}

async function seed(store: EventStore<DomainEvent>): Promise<{ head: bigint; users: number }> {
  let users = 0;
  try {
    const workload = new DomainWorkload({ events: EVENTS, users: 10, roundEvents: 100 });
    for (const round of workload.rounds())
      for (const append of round) {
        users += append.events.filter((e) => e.type === 'directory.user_provisioned.v1').length;
        await store.append(append.streamId, append.events, { expectedVersion: append.expectedVersion });
      }
    return { head: await store.headPosition(), users };
  } finally {
    await store.close();
  }
}

/** Opens the data dir briefly (nothing else may have it open at that moment) to look at what the CLI left. */
async function inspect<T>(dir: string, look: (client: PgliteClient) => Promise<T>): Promise<T> {
  const client = await PgliteClient.open({ dataDir: dir });
  try {
    return await look(client);
  } finally {
    await client.close();
  }
}

async function checkpointOf(dir: string, name: string): Promise<Checkpoint | null> {
  return inspect(dir, async (client) => {
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('chorus_projection_checkpoints') IS NOT NULL AS present`);
    return rows[0]?.present ? readCheckpoint(client, name) : null;
  });
}

/** `chorus` in this process with the offline backend over this suite's projections. */
function runInProcess(args: readonly string[], env: NodeJS.ProcessEnv, extra: Partial<CliContext> = {}) {
  return runCliInProcess(args, env, { openOfflineBackend: createOfflineBackendOpener({ projections: PROJECTIONS }), ...extra });
}

async function spawnChorus(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/chorus.js', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('chorus projections offline (no server answers, PGlite data dir)', () => {
  let root: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let seeded: { head: bigint; users: number };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'chorus-cli-offline-'));
    dir = join(root, 'data');
    seeded = await seedDataDir(dir);
    env = { CHORUS_URL: `http://127.0.0.1:${await closedPort()}`, CHORUS_STORE: 'pglite', CHORUS_DATA_DIR: dir };
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('status lists every projection as new against the log head, and writes nothing', async () => {
    const result = await runInProcess(['projections', 'status'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, new RegExp(`^log head ${seeded.head}\n`));
    assert.match(result.stdout, new RegExp(`^cli_test_users\\s+new\\s+0\\s+${seeded.head}$`, 'm'));
    assert.match(result.stdout, new RegExp(`^cli_test_broken\\s+new\\s+0\\s+${seeded.head}$`, 'm'));
    assert.equal(await checkpointOf(dir, 'cli_test_users'), null, 'no checkpoint table or row was created');
  });

  it('rebuild <name> with a bad name exits 2 with the usage and writes nothing', async () => {
    const result = await runInProcess(['projections', 'rebuild', 'Cli_Test_Users'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /<name>: must be a projection name/);
    assert.match(result.stderr, /Usage: chorus projections rebuild/);
    assert.equal(result.stdout, '');
    assert.equal(await checkpointOf(dir, 'cli_test_users'), null);
  });

  it('rebuild <name> builds the tables to the head, shows progress, and leaves an active checkpoint', async () => {
    const result = await runInProcess(['projections', 'rebuild', 'cli_test_users'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `rebuild of cli_test_users: done at position ${seeded.head}\n`);
    assert.match(result.stderr, new RegExp(`rebuild cli_test_users \\[=+\\] 100% \\| ${seeded.head}/${seeded.head} events \\| [0-9.kM]+ events/s \\| ETA 0s`));
    const checkpoint = await checkpointOf(dir, 'cli_test_users');
    assert.deepEqual(checkpoint, { name: 'cli_test_users', position: seeded.head, version: 1, status: 'active', error: null });
    const users = await inspect(dir, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM cli_test_users'));
    assert.equal(users.rows[0]?.n, seeded.users);
    assert.ok(seeded.users > 0);
  });

  it('status afterwards shows the rebuilt projection active with no lag, the other still new', async () => {
    const result = await runInProcess(['projections', 'status'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^cli_test_users\\s+active\\s+${seeded.head}\\s+0$`, 'm'));
    assert.match(result.stdout, /^cli_test_broken\s+new\s+0\s+\d+$/m);
  });

  it('a rebuild whose projection throws exits 1 with the error and marks the checkpoint failed', async () => {
    const result = await runInProcess(['projections', 'rebuild', 'cli_test_broken'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^chorus: projection cli_test_broken failed: cannot project this call$/m);
    assert.equal(result.stdout, '');
    const checkpoint = await checkpointOf(dir, 'cli_test_broken');
    assert.equal(checkpoint?.status, 'failed');
    assert.equal(checkpoint?.error, 'cannot project this call');
    const status = await runInProcess(['projections', 'status'], env);
    assert.match(status.stdout, /^cli_test_broken\s+failed\s+0\s+\d+$/m);
    assert.match(status.stdout, /^cli_test_broken: cannot project this call$/m);
  });

  it('rebuild of a projection that is not registered exits 1 naming the known ones', async () => {
    const result = await runInProcess(['projections', 'rebuild', 'presence'], env);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'chorus: no projection named "presence" (known: cli_test_users, cli_test_broken)\n');
  });

  it('replay offline rebuilds the user from the log itself; before the log began the user is unknown (exit 1)', async () => {
    const now = await runInProcess(['replay', '--user', 'sip:user1@example.test', '--at', '2099-01-01T00:00:00Z'], env);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /^sip:user1@example\.test as of 2099-01-01T00:00:00Z \(log position [1-9][0-9]*\)$/m);
    assert.match(now.stdout, /^ {2}provisioned {4}yes/m);

    const before = await runInProcess(['replay', '--user', 'sip:user1@example.test', '--at', '2000-01-01T00:00:00Z'], env);
    assert.equal(before.code, 1);
    assert.match(before.stderr, /no user sip:user1@example\.test was provisioned at 2000-01-01T00:00:00Z/);
  });

  it('refuses a data directory another process has open, and touches nothing in it', async () => {
    const holder = await PgliteClient.open({ dataDir: dir });
    try {
      const before = (await holder.query<{ position: number }>(`SELECT position FROM chorus_projection_checkpoints WHERE name = 'cli_test_users'`)).rows;
      const result = await runInProcess(['projections', 'rebuild', 'cli_test_users'], env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^chorus: CHORUS_DATA_DIR .*data is in use by another process \(postmaster\.pid present\)/);
      const afterRows = (await holder.query<{ position: number }>(`SELECT position FROM chorus_projection_checkpoints WHERE name = 'cli_test_users'`)).rows;
      assert.deepEqual(afterRows, before);
    } finally {
      await holder.close();
    }
  });

  it('refuses a data directory with no log in it rather than creating one', async () => {
    const missing = join(root, 'typo');
    const result = await runInProcess(['projections', 'status'], { ...env, CHORUS_DATA_DIR: missing });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `chorus: no event log in CHORUS_DATA_DIR ${missing} (no PGlite database there)\n`);
  });

  it('refuses CHORUS_DATA_DIR=memory:// (such a log exists only inside its server)', async () => {
    const result = await runInProcess(['projections', 'status'], { ...env, CHORUS_DATA_DIR: 'memory://' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^chorus: CHORUS_DATA_DIR is memory:\/\//);
  });

  it('reports a bad server variable by name (exit 1)', async () => {
    const result = await runInProcess(['projections', 'status'], { ...env, CHORUS_STORE: 'sqlite' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^chorus: CHORUS_STORE: /);
  });

  describe('through bin/chorus.js (the domain projection registry)', () => {
    it('projections status lists the registry against the log head', async () => {
      const result = await spawnChorus(['projections', 'status'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^log head ${seeded.head}\n`));
      for (const projection of domainProjections) assert.match(result.stdout, new RegExp(`^${projection.name}\\s`, 'm'));
    });

    it('projections rebuild <registered name> rebuilds it to the head and leaves an active checkpoint', async (t) => {
      const projection = domainProjections[0];
      if (projection === undefined) {
        t.skip('src/projections/domain-projections.ts registers no projection yet');
        return;
      }
      const result = await spawnChorus(['projections', 'rebuild', projection.name], env);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `rebuild of ${projection.name}: done at position ${seeded.head}\n`);
      const checkpoint = await checkpointOf(dir, projection.name);
      assert.deepEqual(checkpoint, { name: projection.name, position: seeded.head, version: projection.version, status: 'active', error: null });
    });

    it('projections rebuild <unknown name> exits 1 and the data dir is released', async () => {
      const result = await spawnChorus(['projections', 'rebuild', 'no_such_projection'], env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^chorus: no projection named "no_such_projection"/);
      assert.equal(await checkpointOf(dir, 'no_such_projection'), null);
    });
  });
});

/**
 * This suite's own database next to DATABASE_URL's (`chorus_ci` → `chorus_ci_cli`),
 * emptied before use, so it never touches the tables of other suites.
 */
async function scratchDatabase(base: string): Promise<string> {
  const name = `${new URL(base).pathname.replace(/^\//, '') || 'chorus'}_cli`;
  assert.match(name, /^[a-z0-9_]{1,60}$/);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const client = new PgClient({ connectionString: url.toString(), max: 1 });
  try {
    await client.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.close();
  }
  return url.toString();
}

const databaseUrl = process.env['DATABASE_URL'];

describe('chorus projections offline (no server answers, CHORUS_STORE=postgres)', { skip: databaseUrl ? false : 'DATABASE_URL is not set' }, () => {
  let url: string;
  let env: NodeJS.ProcessEnv;
  let seeded: { head: bigint; users: number };
  let client: SqlClient;

  before(async () => {
    url = await scratchDatabase(databaseUrl!);
    seeded = await seed(await PostgresEventStore.open({ connectionString: url, catalogue: domainCatalogue, listen: false }));
    env = { CHORUS_URL: `http://127.0.0.1:${await closedPort()}`, CHORUS_STORE: 'postgres', DATABASE_URL: url };
    client = new PgClient({ connectionString: url, max: 1 });
  });
  after(async () => {
    await client?.close();
  });

  it('status, then rebuild, then status: the checkpoint row and the tables are in DATABASE_URL', async () => {
    const before = await runInProcess(['projections', 'status'], env);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, new RegExp(`^cli_test_users\\s+new\\s+0\\s+${seeded.head}$`, 'm'));

    const rebuilt = await runInProcess(['projections', 'rebuild', 'cli_test_users'], env);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.equal(rebuilt.stdout, `rebuild of cli_test_users: done at position ${seeded.head}\n`);
    assert.deepEqual(await readCheckpoint(client, 'cli_test_users'), {
      name: 'cli_test_users',
      position: seeded.head,
      version: 1,
      status: 'active',
      error: null,
    });
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM cli_test_users');
    assert.equal(rows[0]?.n, seeded.users);

    const after = await runInProcess(['projections', 'status'], env);
    assert.match(after.stdout, new RegExp(`^cli_test_users\\s+active\\s+${seeded.head}\\s+0$`, 'm'));
  });
});
