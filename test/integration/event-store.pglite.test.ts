import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { InvalidEventError } from '../../src/events/errors.ts';
import { PgliteEventStore } from '../../src/events/store/pglite/pglite-event-store.ts';
import { PgliteClient } from '../../src/storage/pglite-client.ts';
import { eventStoreContract } from '../contract/event-store.contract.ts';
import { testCatalogue } from '../contract/test-catalogue.ts';

/**
 * One in-memory PGlite for the whole contract run, emptied before each test:
 * starting PGlite costs seconds (initdb in WASM), TRUNCATE … RESTART IDENTITY
 * costs milliseconds and leaves the same state as a new database (positions
 * restart at 1). The store does not own the client, so closing a store leaves
 * it for the next test. Opening with a brand-new database is covered below.
 */
let shared: Promise<PgliteClient> | undefined;
after(async () => {
  await (await shared)?.close();
});

eventStoreContract({
  name: 'pglite (memory)',
  open: async (hooks) => {
    shared ??= PgliteClient.open();
    const client = await shared;
    const store = await PgliteEventStore.open({ client, catalogue: testCatalogue, faultHooks: hooks });
    await client.exec('TRUNCATE chorus_events, chorus_streams RESTART IDENTITY');
    return store;
  },
});

const META = { occurredAt: '2026-01-01T00:00:00Z', correlationId: 'c', causationId: null, actor: 'a', node: 'n' };
const INSERT_RAW = `
INSERT INTO chorus_events (event_id, stream_id, stream_version, event_type, data, metadata)
VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::jsonb)`;

describe('PGlite event store specifics', () => {
  it('given a legacy test.note_added.v1 row written by an older build, when read, then it comes back upcast to v2', async () => {
    const client = await PgliteClient.open();
    const store = await PgliteEventStore.open({ client, catalogue: testCatalogue });
    try {
      const id = uuidv7();
      await client.query(INSERT_RAW, [
        id, 'note-legacy', 0, 'test.note_added.v1',
        JSON.stringify({ text: 'from 2019' }),
        JSON.stringify({ ...META, recordedAt: '2019-05-01T10:00:00Z' }),
      ]);
      await client.query(`INSERT INTO chorus_streams (stream_id, version) VALUES ('note-legacy', 0)`);
      const [fromStream] = await store.readStream('note-legacy');
      assert.ok(fromStream);
      assert.equal(fromStream.type, 'test.note_added.v2');
      assert.deepEqual(fromStream.data, { text: 'from 2019', author: 'unknown' });
      assert.equal(fromStream.id, id);
      const [fromAll] = await store.readAll();
      assert.deepEqual(fromAll, fromStream);
    } finally {
      await store.close();
      await client.close();
    }
  });

  it('given a row whose data no longer matches its schema, when read, then InvalidEventError instead of a half-understood event', async () => {
    const client = await PgliteClient.open();
    const store = await PgliteEventStore.open({ client, catalogue: testCatalogue });
    try {
      await client.query(INSERT_RAW, [
        uuidv7(), 'note-bad', 0, 'test.note_added.v2',
        JSON.stringify({ text: 1 }),
        JSON.stringify({ ...META, recordedAt: '2019-05-01T10:00:00Z' }),
      ]);
      await assert.rejects(store.readStream('note-bad'), InvalidEventError);
    } finally {
      await store.close();
      await client.close();
    }
  });

  it('given a file-backed log, when the store is closed and reopened, then events survive and migrations are not re-applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chorus-pglite-'));
    try {
      const first = await PgliteEventStore.open({ dataDir: dir, catalogue: testCatalogue });
      const id = uuidv7();
      await first.append('note-durable', [{ id, type: 'test.note_added.v2', data: { text: 't', author: 'a' }, metadata: META }], {
        expectedVersion: 'no_stream',
      });
      await first.close();

      const client = await PgliteClient.open({ dataDir: dir });
      const second = await PgliteEventStore.open({ client, catalogue: testCatalogue });
      try {
        assert.deepEqual((await second.readStream('note-durable')).map((e) => e.id), [id]);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM chorus_schema_migrations ORDER BY version');
        assert.deepEqual(rows.map((r) => Number(r.version)), [1, 2]);
      } finally {
        await second.close();
        await client.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
