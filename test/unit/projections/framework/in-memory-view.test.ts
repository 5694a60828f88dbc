import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { NewEvent } from '../../../../src/events/envelope.ts';
import { ProjectionFailedError, ProjectionStoppedError, ProjectionTimeoutError } from '../../../../src/projections/framework/errors.ts';
import { defineInMemoryView } from '../../../../src/projections/framework/in-memory-view-definition.ts';
import { InMemoryView, type ViewChange } from '../../../../src/projections/framework/in-memory-view.ts';
import { testCatalogue, type TestEvent } from '../../../contract/test-catalogue.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { bump, note, notesPerAuthorView } from '../../../support/notes-projection.ts';
import { silentLogger } from '../../../support/silent-logger.ts';
import { waitUntil } from '../../../support/wait-until.ts';

const WAIT = 10_000;

function counts(events: readonly NewEvent<TestEvent>[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of events) if (e.type === 'test.note_added.v2') m.set(e.data.author, (m.get(e.data.author) ?? 0) + 1);
  return m;
}

describe('InMemoryView', () => {
  let store: InMemoryEventStore<TestEvent>;
  const views: InMemoryView<TestEvent, Map<string, number>>[] = [];

  function view(batchSize = 500) {
    const v = new InMemoryView({ store, definition: notesPerAuthorView, batchSize, logger: silentLogger });
    views.push(v);
    return v;
  }

  async function append(events: readonly NewEvent<TestEvent>[]): Promise<bigint> {
    const result = await store.append('notes-1', events, { expectedVersion: 'any' });
    return result.positions.at(-1)!;
  }

  beforeEach(() => {
    store = new InMemoryEventStore(testCatalogue);
  });

  afterEach(async () => {
    for (const v of views.splice(0)) await v.close();
    await store.close();
  });

  it('replays history from 0, then follows live appends', async () => {
    const history = [note('alice', '1'), bump(1, 1), note('bob', '2'), note('alice', '3')];
    const head = await append(history);
    const v = view(2);
    await v.start();
    await v.waitForPosition(head, WAIT);
    assert.deepEqual(v.state, counts(history));
    await waitUntil('the view is live', () => v.phase === 'live');

    const live = [note('carol', '4'), note('alice', '5')];
    await v.waitForPosition(await append(live), WAIT);
    assert.deepEqual(v.state, counts([...history, ...live]));
    const status = await v.status();
    assert.deepEqual(
      { kind: status.kind, version: status.version, position: status.position, lag: status.lag, state: status.state },
      { kind: 'memory', version: null, position: head + 2n, lag: 0n, state: 'live' },
    );
  });

  it('announces the keys each batch changed, once each, after the state changed', async () => {
    const v = view();
    const changes: ViewChange<string>[] = [];
    v.on('changed', (change) => {
      // The listener reads the state the change describes.
      for (const key of change.keys) assert.ok(v.state.has(key));
      changes.push(change);
    });
    await v.start();
    const last = await append([note('alice', '1'), note('bob', '2'), note('alice', '3')]);
    await v.waitForPosition(last, WAIT);
    assert.deepEqual(changes, [{ keys: ['alice', 'bob'], position: last }]);

    // Events the view does not handle advance the position without a change notification.
    const bumped = await append([bump(1, 1)]);
    await v.waitForPosition(bumped, WAIT);
    assert.equal(v.position, bumped);
    assert.equal(changes.length, 1);
  });

  it('stops on an apply error: failed state, failed event, waiters rejected', async () => {
    const fragile = defineInMemoryView<TestEvent, Map<string, number>, string, 'test.note_added.v2'>({
      ...notesPerAuthorView,
      name: 'fragile',
      apply(state, event) {
        if (event.data.text === 'boom') throw new Error('cannot apply boom');
        return notesPerAuthorView.apply(state, event);
      },
    });
    const v = new InMemoryView({ store, definition: fragile, batchSize: 1, logger: silentLogger });
    views.push(v);
    const failures: Error[] = [];
    v.on('failed', (e) => failures.push(e));
    await v.start();
    const pending = v.waitForPosition(3n, WAIT);
    await append([note('alice', 'ok'), note('bob', 'boom'), note('carol', 'never')]);
    await assert.rejects(pending, ProjectionFailedError);
    assert.equal(v.phase, 'failed');
    assert.equal(v.position, 1n);
    assert.match(failures[0]?.message ?? '', /cannot apply boom/);
    assert.match((await v.status()).error ?? '', /cannot apply boom/);
    await assert.rejects(v.waitForPosition(3n, WAIT), ProjectionFailedError);
  });

  it('times out with a typed error and rejects waiters when closed (idempotently)', async () => {
    const v = view();
    await v.start();
    await assert.rejects(v.waitForPosition(50n, 10), ProjectionTimeoutError);
    const pending = v.waitForPosition(50n, WAIT);
    await Promise.all([v.close(), v.close()]);
    await assert.rejects(pending, ProjectionStoppedError);
    assert.equal(v.phase, 'stopped');
    // The state stays readable after close.
    assert.ok(v.state instanceof Map);
  });

  it('starts from a seed and applies only what comes after its position', async () => {
    const history = [note('alice', '1'), note('bob', '2')];
    await append(history);
    const v = new InMemoryView({
      store,
      definition: notesPerAuthorView,
      // As if loaded from a snapshot taken at position 1: alice's note is in it, bob's is not.
      seed: async () => ({ state: new Map([['alice', 1]]), position: 1n }),
      logger: silentLogger,
    });
    views.push(v);
    await v.start();
    await v.waitForPosition(2n, WAIT);
    assert.deepEqual(v.state, counts(history));
  });
});
