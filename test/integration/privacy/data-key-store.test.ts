import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataKeyStore } from '../../../src/privacy/data-key-store.ts';
import { PgClient } from '../../../src/storage/pg-client.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const databaseUrl = process.env['DATABASE_URL'];
const ALICE = 'sip:alice@example.test';

interface Backend {
  readonly name: string;
  readonly skip: string | false;
  /** Two clients on one fresh database (two processes, as far as the key store can tell) and a cleanup. */
  open(): Promise<{ a: SqlClient; b: SqlClient; dispose: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'pglite',
    skip: false,
    async open() {
      // One PGlite is one process's database: both "processes" share the client, each with its own key store (own cache).
      const client = await PgliteClient.open();
      return { a: client, b: client, dispose: () => client.close() };
    },
  },
  {
    name: 'postgres',
    skip: databaseUrl ? false : 'DATABASE_URL is not set',
    async open() {
      const schema = `chorus_keys_${randomBytes(4).toString('hex')}`;
      const admin = new PgClient({ connectionString: databaseUrl!, max: 1 });
      await admin.exec(`CREATE SCHEMA "${schema}"`);
      const url = new URL(databaseUrl!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const a = new PgClient({ connectionString: url.toString(), max: 3 });
      const b = new PgClient({ connectionString: url.toString(), max: 3 });
      return {
        a,
        b,
        async dispose() {
          await a.close();
          await b.close();
          await admin.exec(`DROP SCHEMA "${schema}" CASCADE`);
          await admin.close();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`data key store (${backend.name})`, { skip: backend.skip }, () => {
    let db: Awaited<ReturnType<Backend['open']>>;
    before(async () => {
      db = await backend.open();
    });
    after(async () => {
      await db?.dispose();
    });

    it('given two stores creating the same subject key at once, then both get the one live key', async () => {
      const [one, two] = await Promise.all([DataKeyStore.open(db.a, { logger: silentLogger }), DataKeyStore.open(db.b, { logger: silentLogger })]);
      const [k1, k2] = await Promise.all([one.liveKeys([ALICE, 'tel:+15557654321']), two.liveKeys([ALICE])]);
      assert.equal(k1.get(ALICE)?.id, k2.get(ALICE)?.id);
      const { rows } = await db.a.query<{ n: string }>('SELECT count(*)::text AS n FROM chorus_data_keys WHERE subject = $1', [ALICE]);
      assert.equal(rows[0]?.n, '1');
    });

    it('given a destroyed key, then it reads as null everywhere (after the TTL elsewhere), and the next use makes a new key', async () => {
      let clock = 0;
      const destroyer = await DataKeyStore.open(db.a, { logger: silentLogger });
      const other = await DataKeyStore.open(db.b, { logger: silentLogger, cacheTtlMs: 1_000, now: () => clock });
      const old = (await other.liveKeys([ALICE])).get(ALICE)!;
      assert.deepEqual(await destroyer.destroy(ALICE), [old.id]);
      assert.equal((await destroyer.keysById([old.id])).get(old.id), null);
      // Within its TTL the other process still holds the key in memory; past it, it sees the destruction.
      assert.equal((await other.keysById([old.id])).get(old.id)?.id, old.id);
      clock = 2_000;
      assert.equal((await other.keysById([old.id])).get(old.id), null);
      const { rows } = await db.a.query<{ material: string | null }>('SELECT material FROM chorus_data_keys WHERE key_id = $1', [old.id]);
      assert.equal(rows[0]?.material, null);

      const fresh = (await other.liveKeys([ALICE])).get(ALICE)!;
      assert.notEqual(fresh.id, old.id);
      assert.deepEqual(await destroyer.destroy('sip:nobody@example.test'), []);
    });
  });
}
