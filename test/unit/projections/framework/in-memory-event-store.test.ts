import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '../../../../src/events/envelope.ts';
import { ConcurrencyError, DuplicateEventIdError, InvalidEventError } from '../../../../src/events/errors.ts';
import { testCatalogue, type TestEvent } from '../../../contract/test-catalogue.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { bump, note } from '../../../support/notes-projection.ts';

/**
 * The framework's tests lean on this double; these checks keep it honest to
 * the EventStore contract on the points the framework relies on.
 */
describe('InMemoryEventStore (test double)', () => {
  it('enforces expected versions and writes nothing on conflict or bad input', async () => {
    const store = new InMemoryEventStore(testCatalogue);
    await store.append('notes-1', [note('a', '1')], { expectedVersion: 'no_stream' });
    await assert.rejects(store.append('notes-1', [note('a', '2')], { expectedVersion: 'no_stream' }), ConcurrencyError);
    const bad = { ...note('a', '3'), data: { text: 'no author' } } as unknown as ReturnType<typeof note>;
    await assert.rejects(store.append('notes-1', [note('a', '4'), bad], { expectedVersion: 0 }), InvalidEventError);
    assert.equal(await store.headPosition(), 1n);
    const r = await store.append('notes-1', [note('a', '5')], { expectedVersion: 0 });
    assert.deepEqual(r.positions, [2n]);
    await store.close();
  });

  it('re-appending the same ids is a duplicate no-op; other content is an error', async () => {
    const store = new InMemoryEventStore(testCatalogue);
    const e = note('a', '1');
    await store.append('notes-1', [e], { expectedVersion: 'any' });
    const again = await store.append('notes-1', [e], { expectedVersion: 'any' });
    assert.equal(again.duplicate, true);
    await assert.rejects(store.append('notes-1', [{ ...note('a', 'changed'), id: e.id }], { expectedVersion: 'any' }), DuplicateEventIdError);
    assert.equal(await store.headPosition(), 1n);
    await store.close();
  });

  it('subscribes catch-up then live, in batches, in order, each event once', async () => {
    const store = new InMemoryEventStore(testCatalogue);
    await store.append('notes-1', [note('a', '1'), note('b', '2'), bump(1, 1)], { expectedVersion: 'any' });
    const batches: bigint[][] = [];
    const caughtUp: bigint[] = [];
    let release!: () => void;
    const live = new Promise<void>((resolve) => (release = resolve));
    const sub = store.subscribe({ after: 0n, batchSize: 2, onCaughtUp: (p) => caughtUp.push(p) }, async (events: readonly RecordedEvent<TestEvent>[]) => {
      batches.push(events.map((e) => e.globalPosition));
      if (events.at(-1)!.globalPosition === 5n) release();
    });
    await new Promise((resolve) => setImmediate(resolve));
    await store.append('notes-2', [note('c', '4'), note('d', '5')], { expectedVersion: 'any' });
    await live;
    assert.deepEqual(batches.flat(), [1n, 2n, 3n, 4n, 5n]);
    assert.deepEqual(batches[0], [1n, 2n]);
    assert.ok(batches.every((b) => b.length <= 2));
    assert.equal(caughtUp[0], 3n);
    await sub.close();
    await sub.done;
    await store.close();
  });
});
