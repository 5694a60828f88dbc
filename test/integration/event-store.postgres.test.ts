import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/event-store.ts';
import { PostgresEventStore } from '../../src/events/store/postgres/postgres-event-store.ts';
import type { PostgresEventStoreOpenOptions } from '../../src/events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../../src/storage/pg-client.ts';
import { eventStoreContract } from '../contract/event-store.contract.ts';
import { testCatalogue } from '../contract/test-catalogue.ts';
import type { TestEvent } from '../contract/test-catalogue.ts';

/**
 * The store contract on a real PostgreSQL, e.g.
 *   createdb -h 127.0.0.1 -U postgres chorus_eventlog_test
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/chorus_eventlog_test \
 *     node --import tsx --test test/integration/event-store.postgres.test.ts
 *
 * Isolation: every `open` creates a new schema `chorus_t_<run>_<n>` and points
 * the store's pool at it with `options=-c search_path=<schema>`, so each test
 * starts from an empty log with its own tables and append function, tests never
 * see each other's rows, and no CREATE DATABASE privilege is needed. The schemas
 * are dropped at the end. (The append advisory lock and the NOTIFY channel are
 * per database, so tests in different schemas can only cost each other a short
 * wait or a spurious wake-up — never a wrong result.)
 */

const url = process.env['DATABASE_URL'];

if (!url) {
  it('postgres event store contract', { skip: 'postgres: DATABASE_URL not set' }, () => {});
} else {
  const run = `chorus_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new PgClient({ connectionString: url, max: 2, applicationName: 'chorus-test-admin' });
  const schemas: string[] = [];

  const newSchema = async (): Promise<string> => {
    const schema = `${run}_${schemas.length + 1}`;
    schemas.push(schema);
    await admin.exec(`CREATE SCHEMA "${schema}"`);
    return schema;
  };
  const inSchema = (schema: string): string => {
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };
  const openIn = (
    schema: string,
    options: Omit<PostgresEventStoreOpenOptions<TestEvent>, 'catalogue' | 'connectionString'> = {},
  ): Promise<PostgresEventStore<TestEvent>> =>
    PostgresEventStore.open({ connectionString: inSchema(schema), catalogue: testCatalogue, ...options });

  after(async () => {
    for (const schema of schemas) await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.close();
  });

  eventStoreContract({
    name: 'postgres',
    open: async (hooks) => openIn(await newSchema(), { faultHooks: hooks }),
  });

  const META = { occurredAt: '2026-01-01T00:00:00Z', correlationId: 'c', causationId: null, actor: 'a', node: 'n' };
  const bump = (writer: number, n: number) =>
    ({ id: uuidv7(), type: 'test.counter_bumped.v1', data: { writer, n }, metadata: META }) as const;

  /**
   * Subscribes from 0. `idle` resolves at the first caught-up report (the subscription
   * is then waiting for a wake-up); `events` once `count` events arrived.
   */
  const collect = (
    store: EventStore<TestEvent>,
    count: number,
  ): { idle: Promise<void>; events: Promise<RecordedEvent<TestEvent>[]> } => {
    const seen: RecordedEvent<TestEvent>[] = [];
    let reached: () => void = () => {};
    let caughtUp: () => void = () => {};
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const idle = new Promise<void>((resolve) => (caughtUp = resolve));
    const subscription = store.subscribe({ after: 0n, onCaughtUp: () => caughtUp() }, async (batch) => {
      seen.push(...batch);
      if (seen.length >= count) reached();
    });
    const events = (async () => {
      await Promise.race([enough, subscription.done.then(() => assert.fail('subscription stopped early'))]);
      await subscription.close();
      return seen;
    })();
    return { idle, events };
  };

  describe('PostgreSQL event store specifics', { timeout: 60_000 }, () => {
    it('given a legacy test.note_added.v1 row written by an older build, when read, then it comes back upcast to v2', async () => {
      const schema = await newSchema();
      const store = await openIn(schema);
      try {
        const id = uuidv7();
        await admin.query(
          `INSERT INTO "${schema}".chorus_events (event_id, stream_id, stream_version, event_type, data, metadata)
           VALUES ($1::uuid, 'note-legacy', 0, 'test.note_added.v1', $2::jsonb, $3::jsonb)`,
          [id, JSON.stringify({ text: 'from 2019' }), JSON.stringify({ ...META, recordedAt: '2019-05-01T10:00:00Z' })],
        );
        const [event] = await store.readStream('note-legacy');
        assert.ok(event);
        assert.equal(event.type, 'test.note_added.v2');
        assert.deepEqual(event.data, { text: 'from 2019', author: 'unknown' });
        assert.equal(event.id, id);
        assert.deepEqual(await store.readAll(), [event]);
      } finally {
        await store.close();
      }
    });

    it('given two processes starting on an empty schema at once, when both migrate, then both open and each migration is recorded once', async () => {
      const schema = await newSchema();
      const [a, b] = await Promise.all([openIn(schema), openIn(schema)]);
      try {
        const { rows } = await admin.query<{ version: number; name: string }>(
          `SELECT version, name FROM "${schema}".chorus_schema_migrations ORDER BY version`,
        );
        assert.deepEqual(rows.map((r) => [r.version, r.name]), [
          [1, 'create_event_log'],
          [2, 'create_append_function'],
        ]);
        await a.append('note-x', [bump(1, 1)], { expectedVersion: 'no_stream' });
        assert.equal((await b.readStream('note-x')).length, 1);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('given a subscriber in one process that never polls, when another process appends, then LISTEN/NOTIFY wakes it and it sees every event once in order', async () => {
      const schema = await newSchema();
      // A poll interval of an hour: only a NOTIFY from the other store can wake this subscriber in time.
      const reader = await openIn(schema, { pollIntervalMs: 3_600_000 });
      const writer = await openIn(schema);
      try {
        const stream = `counter-${randomUUID()}`;
        const { idle, events: delivered } = collect(reader, 20);
        // Writes start only once the subscriber is idle in its (hour-long) wait.
        await idle;
        for (let n = 0; n < 10; n++) await writer.append(stream, [bump(1, n), bump(1, n + 100)], { expectedVersion: 'any' });
        const events = await delivered;
        assert.deepEqual(
          events.map((e) => e.id),
          (await writer.readAll()).map((e) => e.id),
        );
      } finally {
        await Promise.all([reader.close(), writer.close()]);
      }
    });

    it('given a subscriber without LISTEN, when another process appends, then the poll fallback still delivers everything', async () => {
      const schema = await newSchema();
      const reader = await openIn(schema, { listen: false, pollIntervalMs: 50 });
      const writer = await openIn(schema);
      try {
        for (let n = 0; n < 5; n++) await writer.append(`counter-${n}`, [bump(n, 0)], { expectedVersion: 'no_stream' });
        const events = await collect(reader, 5).events;
        assert.deepEqual(events.map((e) => e.streamId), ['counter-0', 'counter-1', 'counter-2', 'counter-3', 'counter-4']);
      } finally {
        await Promise.all([reader.close(), writer.close()]);
      }
    });

    it('given a slow transaction in one process while another process appends, when a third subscribes, then it sees every event exactly once in strictly increasing order', async () => {
      const schema = await newSchema();
      const slowStore = await openIn(schema, {
        faultHooks: {
          beforeCommit: async () => {
            await sleep(300);
          },
        },
      });
      const fastStore = await openIn(schema);
      const reader = await openIn(schema);
      try {
        const { events: delivered } = collect(reader, 3 + 30);
        await Promise.all([
          (async () => {
            for (let n = 0; n < 3; n++) await slowStore.append('slow-1', [bump(0, n)], { expectedVersion: 'any' });
          })(),
          ...[1, 2, 3].map(async (w) => {
            for (let n = 0; n < 10; n++) await fastStore.append(`counter-${w}`, [bump(w, n)], { expectedVersion: 'any' });
          }),
        ]);
        const events = await delivered;
        assert.equal(new Set(events.map((e) => e.id)).size, 33);
        for (let i = 1; i < events.length; i++) assert.ok(events[i]!.globalPosition > events[i - 1]!.globalPosition);
        assert.deepEqual(
          events.map((e) => e.id),
          (await reader.readAll()).map((e) => e.id),
        );
      } finally {
        await Promise.all([slowStore.close(), fastStore.close(), reader.close()]);
      }
    });
  });
}
