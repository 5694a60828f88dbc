import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { NewEvent } from '../../../src/events/envelope.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { ProjectionNotReadyError } from '../../../src/projections/framework/errors.ts';
import { InMemoryView } from '../../../src/projections/framework/in-memory-view.ts';
import { ProjectionRunner } from '../../../src/projections/framework/projection-runner.ts';
import { seedFromSqlProjection } from '../../../src/projections/framework/view-seed.ts';
import type { SqlClient, SqlTransaction } from '../../../src/storage/sql-client.ts';
import type { TestEvent } from '../../contract/test-catalogue.ts';
import { bump, note, notesPerAuthorProjection, notesPerAuthorView } from '../../support/notes-projection.ts';
import { readModelBackends } from '../../support/projection-backends.ts';
import { openTestEventStore } from '../../support/projection-test-store.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const WAIT = 10_000;

/** What the view's `apply` would have built, read from the projection's table. */
async function loadCounts(tx: SqlTransaction): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ author: string; notes: bigint | number }>('SELECT author, notes FROM notes_per_author');
  return new Map(rows.map((r) => [r.author, Number(r.notes)]));
}

async function append(store: EventStore<TestEvent>, events: readonly NewEvent<TestEvent>[]): Promise<bigint> {
  return (await store.append('notes-1', events, { expectedVersion: 'any' })).positions.at(-1)!;
}

for (const backend of readModelBackends) {
  describe(`seedFromSqlProjection (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let client: SqlClient;
    let store: EventStore<TestEvent>;
    const closers: { close(): Promise<void> }[] = [];

    before(async () => {
      client = await backend.open();
    });
    after(async () => {
      await client.close();
    });
    beforeEach(async () => {
      await backend.reset(client);
      store = await openTestEventStore(client);
    });
    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c.close();
      await store.close();
    });

    it('a view seeded from the SQL tables continues to the same state as a replay from 0', async () => {
      const runner = new ProjectionRunner({ store, client, projection: notesPerAuthorProjection(), logger: silentLogger });
      closers.push(runner);
      await runner.start();
      const checkpoint = await append(store, [note('alice', '1'), bump(1, 1), note('bob', '2'), note('alice', '3')]);
      await runner.waitForPosition(checkpoint, WAIT);

      const seeded = new InMemoryView({
        store,
        definition: notesPerAuthorView,
        seed: seedFromSqlProjection(client, 'notes_per_author', loadCounts),
        logger: silentLogger,
      });
      const replayed = new InMemoryView({ store, definition: notesPerAuthorView, logger: silentLogger });
      closers.push(seeded, replayed);
      const applied: bigint[] = [];
      seeded.on('changed', (c) => applied.push(c.position));
      await seeded.start();
      await replayed.start();
      // The seed already holds everything up to the checkpoint.
      assert.equal(seeded.position, checkpoint);

      const last = await append(store, [note('carol', '4'), note('alice', '5')]);
      await Promise.all([seeded.waitForPosition(last, WAIT), replayed.waitForPosition(last, WAIT)]);
      assert.deepEqual(seeded.state, replayed.state);
      assert.ok(applied.every((p) => p > checkpoint), 'the seeded view applied nothing at or before its seed');
    });

    it('refuses to seed from a projection that never ran or is failed', async () => {
      const runner = new ProjectionRunner({ store, client, projection: notesPerAuthorProjection({ failOnText: 'boom' }), logger: silentLogger });
      closers.push(runner);
      await runner.start();
      const seed = seedFromSqlProjection(client, 'notes_per_author', loadCounts);
      const never = seedFromSqlProjection(client, 'no_such_projection', loadCounts);
      await assert.rejects(never(), (e: unknown) => e instanceof ProjectionNotReadyError && /never started/.test(e.message));

      await runner.waitForPosition(await append(store, [note('a', 'fine')]), WAIT);
      await assert.doesNotReject(seed());
      await assert.rejects(runner.waitForPosition(await append(store, [note('a', 'boom')]), WAIT));
      await runner.close();
      await assert.rejects(seed(), (e: unknown) => e instanceof ProjectionNotReadyError && /failed/.test(e.message));
    });
  });
}
