import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { NewEvent } from '../../../src/events/envelope.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import {
  ProjectionConflictError,
  ProjectionFailedError,
  ProjectionStoppedError,
  ProjectionTimeoutError,
} from '../../../src/projections/framework/errors.ts';
import { readCheckpoint } from '../../../src/projections/framework/projection-checkpoints.ts';
import { ProjectionRunner } from '../../../src/projections/framework/projection-runner.ts';
import type { RebuildProgress } from '../../../src/projections/framework/rebuild-progress.ts';
import type { SqlClient, SqlTransaction } from '../../../src/storage/sql-client.ts';
import type { TestEvent } from '../../contract/test-catalogue.ts';
import { NOTES_TABLES, bump, note, notesPerAuthorProjection, type NotesProjectionOptions } from '../../support/notes-projection.ts';
import { readModelBackends } from '../../support/projection-backends.ts';
import { openTestEventStore } from '../../support/projection-test-store.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';

const WAIT = 10_000;

/** Appends one event per call on the author's stream; returns the last position. */
async function append(store: EventStore<TestEvent>, events: readonly NewEvent<TestEvent>[]): Promise<bigint> {
  let last = 0n;
  for (const event of events) {
    const stream = event.type === 'test.note_added.v2' ? `author-${event.data.author}` : 'counter-1';
    const result = await store.append(stream, [event], { expectedVersion: 'any' });
    last = result.positions.at(-1)!;
  }
  return last;
}

/** author → notes, computed from the input events (what the table must say). */
function expectedCounts(events: readonly NewEvent<TestEvent>[]): Map<string, bigint> {
  const counts = new Map<string, bigint>();
  for (const e of events) if (e.type === 'test.note_added.v2') counts.set(e.data.author, (counts.get(e.data.author) ?? 0n) + 1n);
  return counts;
}

async function tableCounts(client: SqlClient): Promise<Map<string, bigint>> {
  const { rows } = await client.query<{ author: string; notes: bigint | number }>('SELECT author, notes FROM notes_per_author');
  return new Map(rows.map((r) => [r.author, BigInt(r.notes)]));
}

async function noteLogSize(client: SqlClient): Promise<number> {
  return (await client.query('SELECT 1 FROM note_log')).rows.length;
}

/** Passes everything through to `inner`, counting the statements that touch the checkpoint table and the transactions. */
class CountingClient implements SqlClient {
  readonly #inner: SqlClient;
  checkpointStatements = 0;
  transactions = 0;

  constructor(inner: SqlClient) {
    this.#inner = inner;
  }

  get dialect(): SqlClient['dialect'] {
    return this.#inner.dialect;
  }

  #count(text: string): void {
    if (text.includes('chorus_projection_checkpoints')) this.checkpointStatements += 1;
  }

  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
    this.#count(text);
    return this.#inner.query<R>(text, params);
  }

  exec(text: string): Promise<void> {
    this.#count(text);
    return this.#inner.exec(text);
  }

  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    this.transactions += 1;
    return this.#inner.transaction((tx) =>
      fn({
        dialect: tx.dialect,
        query: <R extends object>(text: string, params?: readonly unknown[]) => {
          this.#count(text);
          return tx.query<R>(text, params);
        },
        exec: (text: string) => {
          this.#count(text);
          return tx.exec(text);
        },
      }),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function someEvents(count: number, seed: number): NewEvent<TestEvent>[] {
  const authors = ['alice', 'bob', 'carol'];
  return Array.from({ length: count }, (_, i) =>
    (i + seed) % 4 === 3 ? bump(i, seed) : note(authors[(i * 7 + seed) % authors.length]!, `note ${seed}/${i}`),
  );
}

for (const backend of readModelBackends) {
  describe(`ProjectionRunner (read model on ${backend.name})`, { skip: backend.skip ?? false }, () => {
    let store: EventStore<TestEvent>;
    let client: SqlClient;
    const runners: ProjectionRunner<TestEvent>[] = [];

    function runner(
      options: NotesProjectionOptions & {
        batchSize?: number;
        onRebuildProgress?: (p: RebuildProgress) => void;
        client?: SqlClient;
        idleCheckpointIntervalMs?: number;
      } = {},
    ) {
      const r = new ProjectionRunner<TestEvent>({
        store,
        client: options.client ?? client,
        projection: notesPerAuthorProjection(options),
        batchSize: options.batchSize ?? 500,
        logger: silentLogger,
        ...(options.onRebuildProgress ? { onRebuildProgress: options.onRebuildProgress } : {}),
        ...(options.idleCheckpointIntervalMs !== undefined ? { idleCheckpointIntervalMs: options.idleCheckpointIntervalMs } : {}),
      });
      runners.push(r);
      return r;
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
      for (const r of runners.splice(0)) await r.close();
      await store.close();
    });

    it('catches up in batches, follows live appends, and commits rows with the checkpoint', async () => {
      const history = [note('alice', 'a1'), note('bob', 'b1'), note('alice', 'a2'), bump(1, 1), note('alice', 'a3'), note('bob', 'b2'), bump(1, 2)];
      const head = await append(store, history);
      const r = runner({ batchSize: 2 });
      await r.start();
      await r.waitForPosition(head, WAIT);

      assert.deepEqual(await tableCounts(client), expectedCounts(history));
      assert.equal(await noteLogSize(client), 5);
      // Batches [1,2] [3,4] [5,6] wrote; [7] is a lone bump the projection skips: the runner is past it
      // in memory, the row catches up later (idleCheckpointIntervalMs) — the tables are the same either way.
      assert.equal(r.position, head);
      const checkpoint = await readCheckpoint(client, 'notes_per_author');
      assert.deepEqual(checkpoint, { name: 'notes_per_author', position: head - 1n, version: 1, status: 'active', error: null });

      await waitUntil('the runner is live', () => r.state === 'live');
      const live = [note('carol', 'c1'), note('alice', 'a4'), bump(2, 1), note('carol', 'c2')];
      const liveHead = await append(store, live);
      await r.waitForPosition(liveHead, WAIT);
      assert.deepEqual(await tableCounts(client), expectedCounts([...history, ...live]));

      const status = await r.status();
      assert.equal(status.position, liveHead);
      assert.equal(status.head, liveHead);
      assert.equal(status.lag, 0n);
      assert.equal(status.kind, 'sql');
      assert.equal(status.version, 1);
    });

    it('batches of ignored events write no checkpoint, yet the position, waiters and lag follow; close persists it', async () => {
      const counting = new CountingClient(client);
      const r = runner({ client: counting, batchSize: 2 });
      await r.start();
      const first = await append(store, [note('alice', 'a1'), note('bob', 'b1')]);
      await r.waitForPosition(first, WAIT);
      await waitUntil('the runner is live', () => r.state === 'live');
      const before = await readCheckpoint(client, 'notes_per_author');
      assert.equal(before?.position, first);
      const statements = counting.checkpointStatements;
      const transactions = counting.transactions;

      // 12 bumps, appended one by one: several idle batches, each only in memory.
      let last = first;
      for (let i = 0; i < 12; i += 1) {
        last = await append(store, [bump(3, i)]);
        await r.waitForPosition(last, WAIT);
      }
      assert.equal(r.position, last);
      const status = await r.status();
      assert.equal(status.position, last);
      assert.equal(status.lag, 0n);
      assert.equal(counting.checkpointStatements, statements, 'no checkpoint statement for ignored events');
      assert.equal(counting.transactions, transactions, 'no transaction for ignored events');
      assert.deepEqual(await readCheckpoint(client, 'notes_per_author'), before);

      // A batch that writes carries the checkpoint to its own end, past the ignored ones.
      const written = await append(store, [note('carol', 'c1')]);
      await r.waitForPosition(written, WAIT);
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.position, written);
      assert.equal(counting.transactions, transactions + 1);

      // Ignored again, then close: the row is written once, on close.
      const tail = await append(store, [bump(4, 1), bump(4, 2)]);
      await r.waitForPosition(tail, WAIT);
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.position, written);
      await r.close();
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.position, tail);

      const notes = new Map([['alice', 1n], ['bob', 1n], ['carol', 1n]]);
      const again = runner();
      await again.start();
      assert.equal(again.position, tail);
      await again.close();

      // A crash before that write leaves the row at `written` with the tables unchanged since: a restart re-reads the bumps, harmlessly.
      await client.query(`UPDATE chorus_projection_checkpoints SET position = $1 WHERE name = 'notes_per_author'`, [written]);
      const restarted = runner();
      await restarted.start();
      await restarted.waitForPosition(tail, WAIT);
      assert.deepEqual(await tableCounts(client), notes);
      const more = await append(store, [note('alice', 'a2')]);
      await restarted.waitForPosition(more, WAIT);
      assert.deepEqual(await tableCounts(client), new Map([...notes, ['alice', 2n]]));
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.position, more);
    });

    it('persists the position past ignored events after idleCheckpointIntervalMs, while running', async () => {
      const r = runner({ idleCheckpointIntervalMs: 100 });
      await r.start();
      const first = await append(store, [note('alice', 'a1')]);
      await r.waitForPosition(first, WAIT);
      await waitUntil('the runner is live', () => r.state === 'live');
      const idle = await append(store, [bump(5, 1), bump(5, 2), bump(5, 3)]);
      await r.waitForPosition(idle, WAIT);
      await waitUntil('the idle position is persisted', async () => (await readCheckpoint(client, 'notes_per_author'))?.position === idle);
      assert.equal(r.state, 'live');
      // The next writing batch still passes the lock check against the row the idle write moved.
      const next = await append(store, [note('bob', 'b1')]);
      await r.waitForPosition(next, WAIT);
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.position, next);
      assert.deepEqual(await tableCounts(client), new Map([['alice', 1n], ['bob', 1n]]));
    });

    it('with idleCheckpointIntervalMs 0 every batch writes the checkpoint', async () => {
      const r = runner({ idleCheckpointIntervalMs: 0 });
      await r.start();
      const last = await append(store, [note('alice', 'a1'), bump(7, 1)]);
      await r.waitForPosition(last, WAIT);
      const idle = await append(store, [bump(7, 2)]);
      await r.waitForPosition(idle, WAIT);
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.position, idle);
      assert.throws(() => runner({ idleCheckpointIntervalMs: -1 }), /idleCheckpointIntervalMs/);
    });

    it('live batches and rebuilds from 0 produce byte-equal tables', async () => {
      const r = runner({ batchSize: 3 });
      await r.start();
      const all: NewEvent<TestEvent>[] = [];
      // Events arrive while the runner is live, in several appends and batches.
      for (let round = 0; round < 5; round += 1) {
        const events = someEvents(4 + round, round);
        all.push(...events);
        await r.waitForPosition(await append(store, events), WAIT);
      }
      const head = await store.headPosition();
      const incremental = await dumpTables(client, NOTES_TABLES);
      assert.deepEqual(await tableCounts(client), expectedCounts(all));

      const progress: RebuildProgress[] = [];
      await r.rebuild((p) => progress.push(p));
      const rebuilt = await dumpTables(client, NOTES_TABLES);
      assert.equal(rebuilt, incremental);
      assert.ok(progress.length >= 2, 'one report per batch');
      for (let i = 1; i < progress.length; i += 1) assert.ok(progress[i]!.position > progress[i - 1]!.position);
      assert.equal(progress.at(-1)!.position, head);
      assert.equal(progress.at(-1)!.head, head);
      assert.equal(progress.at(-1)!.etaSeconds, 0);

      await r.rebuild();
      assert.equal(await dumpTables(client, NOTES_TABLES), incremental);
      assert.equal(r.state, 'live');
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.status, 'active');
    });

    it('rebuilds with the new schema when the definition version changes', async () => {
      const history = someEvents(12, 7);
      const head = await append(store, history);
      const v1 = runner();
      await v1.start();
      await v1.waitForPosition(head, WAIT);
      await v1.close();

      const progress: RebuildProgress[] = [];
      const v2 = runner({ version: 2, batchSize: 4, onRebuildProgress: (p) => progress.push(p) });
      await v2.start();
      assert.equal(v2.state, 'rebuilding');
      await v2.waitForPosition(head, WAIT);
      await waitUntil('the rebuild finished', () => v2.state === 'live');

      const { rows } = await client.query<{ author: string; chars: bigint | number }>('SELECT author, chars FROM notes_per_author');
      const chars = new Map<string, bigint>();
      for (const e of history) if (e.type === 'test.note_added.v2') chars.set(e.data.author, (chars.get(e.data.author) ?? 0n) + BigInt(e.data.text.length));
      assert.deepEqual(new Map(rows.map((r) => [r.author, BigInt(r.chars)])), chars);
      assert.equal(progress.at(-1)?.position, head);
      const checkpoint = await readCheckpoint(client, 'notes_per_author');
      assert.equal(checkpoint?.version, 2);
      await waitUntil('the checkpoint is active again', async () => (await readCheckpoint(client, 'notes_per_author'))?.status === 'active');
    });

    it('resumes an interrupted rebuild as a rebuild, and a throwing progress listener does not stop one', async () => {
      const history = someEvents(9, 4);
      const head = await append(store, history);
      const first = runner({ batchSize: 2 });
      await first.rebuild(() => {
        throw new Error('broken progress bar');
      });
      assert.equal(first.position, head);
      await first.close();
      // As if the process died mid-rebuild: the flag survives in the checkpoint row.
      await client.query(`UPDATE chorus_projection_checkpoints SET status = 'rebuilding' WHERE name = 'notes_per_author'`);

      const second = runner({ batchSize: 2 });
      await second.start();
      assert.equal(second.state, 'rebuilding');
      await waitUntil('the resumed rebuild finished', () => second.state === 'live');
      await waitUntil('the checkpoint is active', async () => (await readCheckpoint(client, 'notes_per_author'))?.status === 'active');
      assert.deepEqual(await tableCounts(client), expectedCounts(history));
    });

    it('a failing batch leaves no rows and no checkpoint move; a fixed runner resumes exactly once', async () => {
      const history = [note('alice', 'ok 1'), note('bob', 'ok 2'), note('alice', 'ok 3'), note('bob', 'boom'), note('carol', 'ok 5')];
      const head = await append(store, history);
      const failing = runner({ batchSize: 2, failOnText: 'boom' });
      await failing.start();

      // The second batch [ok 3, boom] wrote its rows, then threw: all of it must be gone.
      await assert.rejects(failing.waitForPosition(head, WAIT), ProjectionFailedError);
      assert.equal(failing.state, 'failed');
      assert.equal(failing.position, 2n);
      const status = await failing.status();
      assert.match(status.error ?? '', /refusing note "boom"/);
      assert.equal(await noteLogSize(client), 2);
      assert.deepEqual(await tableCounts(client), expectedCounts(history.slice(0, 2)));
      await waitUntil('the failure is recorded', async () => (await readCheckpoint(client, 'notes_per_author'))?.status === 'failed');
      const checkpoint = await readCheckpoint(client, 'notes_per_author');
      assert.equal(checkpoint?.position, 2n);
      assert.match(checkpoint?.error ?? '', /boom/);
      await assert.rejects(failing.waitForPosition(head, WAIT), ProjectionFailedError);
      await failing.close();

      const fixed = runner({ batchSize: 2 });
      await fixed.start();
      await fixed.waitForPosition(head, WAIT);
      assert.deepEqual(await tableCounts(client), expectedCounts(history));
      assert.equal((await readCheckpoint(client, 'notes_per_author'))?.status, 'active');
      const resumed = await dumpTables(client, NOTES_TABLES);
      await fixed.rebuild();
      assert.equal(await dumpTables(client, NOTES_TABLES), resumed);
    });

    it('two runners of one projection on one database apply every event once', async () => {
      const a = runner({ batchSize: 2 });
      const b = runner({ batchSize: 3 });
      await a.start();
      await b.start();
      const all: NewEvent<TestEvent>[] = [];
      for (let round = 0; round < 4; round += 1) {
        const events = someEvents(5, round + 10);
        all.push(...events);
        const last = await append(store, events);
        await Promise.all([a.waitForPosition(last, WAIT), b.waitForPosition(last, WAIT)]);
      }
      assert.deepEqual(await tableCounts(client), expectedCounts(all));
      assert.equal(a.state === 'failed' || b.state === 'failed', false);
    });

    it('stops with a conflict when another process moves the checkpoint back', async () => {
      const r = runner();
      await r.start();
      await r.waitForPosition(await append(store, someEvents(5, 1)), WAIT);
      await client.query(`UPDATE chorus_projection_checkpoints SET position = 0 WHERE name = 'notes_per_author'`);
      const last = await append(store, [note('dave', 'after the reset')]);
      const error = await r.waitForPosition(last, WAIT).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ProjectionFailedError);
      assert.ok(error.cause instanceof ProjectionConflictError, String(error.cause));
      assert.equal((await tableCounts(client)).get('dave'), undefined);
    });

    it('times out, rejects waiters on close, and closes idempotently', async () => {
      const r = runner();
      await r.start();
      await assert.rejects(r.waitForPosition(1_000n, 20), (e: unknown) => e instanceof ProjectionTimeoutError && e.wanted === 1_000n);
      const pending = r.waitForPosition(1_000n, WAIT);
      await Promise.all([r.close(), r.close()]);
      await assert.rejects(pending, ProjectionStoppedError);
      await assert.rejects(r.start(), ProjectionStoppedError);
      await assert.rejects(r.rebuild(), ProjectionStoppedError);
      assert.equal(r.state, 'stopped');
    });

    it('starting twice subscribes once', async () => {
      const r = runner();
      await Promise.all([r.start(), r.start()]);
      const history = someEvents(6, 3);
      await r.waitForPosition(await append(store, history), WAIT);
      assert.deepEqual(await tableCounts(client), expectedCounts(history));
    });
  });
}
