import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { NewEvent } from '../../../src/events/envelope.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import {
  InvalidProjectionDefinitionError,
  ProjectionStoppedError,
  UnknownProjectionError,
} from '../../../src/projections/framework/errors.ts';
import { InMemoryView } from '../../../src/projections/framework/in-memory-view.ts';
import { ProjectionManager } from '../../../src/projections/framework/projection-manager.ts';
import type { RebuildProgress } from '../../../src/projections/framework/rebuild-progress.ts';
import { defineSqlProjection } from '../../../src/projections/framework/sql-projection.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import type { TestEvent } from '../../contract/test-catalogue.ts';
import { bump, note, notesPerAuthorProjection, notesPerAuthorView } from '../../support/notes-projection.ts';
import { readModelBackends } from '../../support/projection-backends.ts';
import { openTestEventStore } from '../../support/projection-test-store.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';

const WAIT = 10_000;

/** A second projection, over the events the notes projection skips. */
function counterTotals(version = 1) {
  return defineSqlProjection<TestEvent, 'test.counter_bumped.v1'>({
    name: 'counter_totals',
    version,
    tables: ['counter_totals'],
    schema: 'CREATE TABLE counter_totals (writer integer PRIMARY KEY, total bigint NOT NULL)',
    canHandle: ['test.counter_bumped.v1'],
    async handle(events, tx) {
      for (const e of events)
        await tx.query(
          `INSERT INTO counter_totals (writer, total) VALUES ($1, $2)
           ON CONFLICT (writer) DO UPDATE SET total = counter_totals.total + EXCLUDED.total`,
          [e.data.writer, e.data.n],
        );
    },
  });
}

async function append(store: EventStore<TestEvent>, events: readonly NewEvent<TestEvent>[]): Promise<bigint> {
  return (await store.append('mixed-1', events, { expectedVersion: 'any' })).positions.at(-1)!;
}

for (const backend of readModelBackends) {
  describe(`ProjectionManager (read model on ${backend.name})`, { skip: backend.skip ?? false }, () => {
    let client: SqlClient;
    let store: EventStore<TestEvent>;
    const managers: ProjectionManager<TestEvent>[] = [];

    function manager(options: { counterVersion?: number; onRebuildProgress?: (name: string, p: RebuildProgress) => void } = {}) {
      const view = new InMemoryView({ store, definition: notesPerAuthorView, logger: silentLogger });
      const m = new ProjectionManager<TestEvent>({
        store,
        client,
        projections: [notesPerAuthorProjection(), counterTotals(options.counterVersion)],
        views: [view],
        batchSize: 3,
        logger: silentLogger,
        ...(options.onRebuildProgress ? { onRebuildProgress: options.onRebuildProgress } : {}),
      });
      managers.push(m);
      return { m, view };
    }

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
      for (const m of managers.splice(0)) await m.close();
      await store.close();
    });

    it('runs projections and views together: one wait, one status, one close', async () => {
      await append(store, [note('alice', '1'), bump(1, 5), bump(2, 1)]);
      const { m, view } = manager();
      await m.start();
      const last = await append(store, [note('bob', '2'), bump(1, 10), note('alice', '3')]);
      await m.waitForPosition(last, WAIT);

      const { rows } = await client.query<{ writer: number; total: bigint | number }>('SELECT writer, total FROM counter_totals ORDER BY writer');
      assert.deepEqual(rows.map((r) => [r.writer, BigInt(r.total)]), [[1, 15n], [2, 1n]]);
      assert.deepEqual(view.state, new Map([['alice', 2], ['bob', 1]]));

      await waitUntil('everything is live', async () => (await m.status()).every((s) => s.state === 'live'));
      const status = await m.status();
      assert.deepEqual(
        status.map((s) => [s.name, s.kind, s.position, s.lag]),
        [
          ['notes_per_author', 'sql', last, 0n],
          ['counter_totals', 'sql', last, 0n],
          ['notes_per_author_view', 'memory', last, 0n],
        ],
      );

      await Promise.all([m.close(), m.close()]);
      assert.equal(m.runner('notes_per_author').state, 'stopped');
      assert.equal(view.phase, 'stopped');
      await assert.rejects(m.waitForPosition(last + 1n, WAIT), ProjectionStoppedError);
    });

    it('rebuilds one projection by name, leaving the others alone', async () => {
      const { m } = manager();
      await m.start();
      const last = await append(store, [bump(1, 1), note('alice', '1'), bump(1, 2), bump(3, 3), note('bob', '2'), bump(1, 4)]);
      await m.waitForPosition(last, WAIT);
      const before = await dumpTables(client, ['counter_totals', 'notes_per_author', 'note_log']);

      const progress: RebuildProgress[] = [];
      await m.rebuild('counter_totals', (p) => progress.push(p));
      assert.equal(progress.at(-1)?.position, last);
      assert.equal(await dumpTables(client, ['counter_totals', 'notes_per_author', 'note_log']), before);
      assert.equal(m.runner('notes_per_author').state, 'live');
      assert.throws(() => m.runner('nope'), UnknownProjectionError);
      assert.throws(() => m.rebuild('nope'), UnknownProjectionError);
    });

    it('reports rebuilds caused by a version change, by projection name', async () => {
      const last = await append(store, [bump(1, 1), bump(2, 2), note('a', 'x'), bump(1, 3)]);
      const first = manager().m;
      await first.start();
      await first.waitForPosition(last, WAIT);
      await first.close();

      const seen: [string, bigint][] = [];
      const second = manager({ counterVersion: 2, onRebuildProgress: (name, p) => seen.push([name, p.position]) }).m;
      await second.start();
      await second.waitForPosition(last, WAIT);
      assert.ok(seen.length > 0);
      assert.ok(seen.every(([name]) => name === 'counter_totals'), 'only the bumped projection rebuilt');
      assert.deepEqual(seen.at(-1), ['counter_totals', last]);
    });

    it('refuses two projections or views with one name', () => {
      assert.throws(
        () => new ProjectionManager<TestEvent>({ store, client, projections: [counterTotals(), counterTotals(2)] }),
        InvalidProjectionDefinitionError,
      );
      const view = new InMemoryView({ store, definition: { ...notesPerAuthorView, name: 'counter_totals' } });
      assert.throws(
        () => new ProjectionManager<TestEvent>({ store, client, projections: [counterTotals()], views: [view] }),
        InvalidProjectionDefinitionError,
      );
    });
  });
}
