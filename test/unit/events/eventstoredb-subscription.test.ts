import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { EventStoreDbSubscription } from '../../../src/events/store/eventstoredb/eventstoredb-subscription.ts';
import type { SubscriptionSource } from '../../../src/events/store/eventstoredb/eventstoredb-subscription.ts';
import type { TestEvent } from '../../contract/test-catalogue.ts';

/**
 * The subscription's own sequencing (catch-up pages → onCaughtUp → live
 * batches, handler awaited, close) over an in-memory source. This says nothing
 * about EventStoreDB itself; the contract suite covers that with ESDB_URL.
 */

function event(position: bigint): RecordedEvent<TestEvent> {
  return {
    type: 'test.counter_bumped.v1',
    data: { writer: 1, n: Number(position) },
    id: `0190b6a0-0000-7000-8000-${position.toString().padStart(12, '0')}`,
    streamId: 'counter-1',
    streamVersion: Number(position) - 1,
    globalPosition: position,
    metadata: {
      occurredAt: '2025-01-01T00:00:00.000Z',
      recordedAt: '2025-01-01T00:00:00.000Z',
      correlationId: 'c',
      causationId: null,
      actor: 'a',
      node: 'n',
    },
  } as RecordedEvent<TestEvent>;
}

/** History in memory; the live feed is a Node object stream the test writes positions into. */
function memorySource(history: readonly bigint[]) {
  const live = Object.assign(new PassThrough({ objectMode: true }), {
    unsubscribed: 0,
    async unsubscribe() {
      live.unsubscribed += 1;
    },
  });
  const followedFrom: bigint[] = [];
  const source: SubscriptionSource<TestEvent> = {
    scan: async (after, limit) => {
      const next = history.filter((p) => p > after).slice(0, limit);
      const exhausted = next.length < limit || next.at(-1) === history.at(-1);
      return { events: next.map(event), scannedTo: next.at(-1) ?? after, exhausted };
    },
    follow: (after) => {
      followedFrom.push(after);
      return live as unknown as AllStreamSubscription;
    },
    admit: (resolved, after) => {
      const position = resolved.commitPosition ?? 0n;
      return position > after ? event(position) : null;
    },
  };
  const push = (position: bigint) => live.write({ commitPosition: position } satisfies AllStreamResolvedEvent);
  return { source, live, push, followedFrom };
}

function waitFor(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (predicate() ? resolve() : setImmediate(check));
    check();
  });
}

describe('eventstoredb subscription sequencing', () => {
  it('delivers history in batches, reports caught-up, then follows live from where the scan ended', async () => {
    const { source, live, push, followedFrom } = memorySource([1n, 2n, 3n, 4n, 5n]);
    const batches: bigint[][] = [];
    const caughtUp: bigint[] = [];
    const sub = new EventStoreDbSubscription(
      source,
      { after: 1n, batchSize: 2, onCaughtUp: (p) => caughtUp.push(p) },
      async (events) => {
        batches.push(events.map((e) => e.globalPosition));
      },
      () => {},
    );
    await waitFor(() => followedFrom.length === 1);
    assert.deepEqual(batches, [[2n, 3n], [4n, 5n]]);
    assert.deepEqual(caughtUp, [5n]);
    assert.deepEqual(followedFrom, [5n]);

    push(5n); // a re-sent event at the checkpoint is dropped
    push(6n);
    push(7n);
    await waitFor(() => sub.position === 7n);
    assert.deepEqual(batches.flat(), [2n, 3n, 4n, 5n, 6n, 7n]);
    assert.equal(caughtUp.at(-1), 7n);

    await Promise.all([sub.close(), sub.close()]);
    await sub.done;
    assert.equal(live.unsubscribed >= 1, true);
  });

  it('waits for the handler before delivering the next batch', async () => {
    const { source, followedFrom } = memorySource([1n, 2n, 3n]);
    let running = 0;
    let overlapped = false;
    const sub = new EventStoreDbSubscription(
      source,
      { after: 0n, batchSize: 1 },
      async () => {
        running += 1;
        if (running > 1) overlapped = true;
        await new Promise((r) => setImmediate(r));
        running -= 1;
      },
      () => {},
    );
    await waitFor(() => followedFrom.length === 1);
    assert.equal(overlapped, false);
    assert.equal(sub.position, 3n);
    await sub.close();
  });

  it('rejects done with the handler error and stops', async () => {
    const { source, followedFrom } = memorySource([1n, 2n]);
    let stopped = false;
    const sub = new EventStoreDbSubscription(
      source,
      { after: 0n, batchSize: 10 },
      async () => {
        throw new Error('projection broke');
      },
      () => {
        stopped = true;
      },
    );
    await assert.rejects(sub.done, /projection broke/);
    assert.equal(stopped, true);
    assert.equal(sub.position, 0n);
    assert.deepEqual(followedFrom, []);
    await sub.close();
  });

  it('lets a handler close its own subscription without deadlock', async () => {
    const { source } = memorySource([1n, 2n, 3n]);
    const seen: bigint[] = [];
    const sub: EventStoreDbSubscription<TestEvent> = new EventStoreDbSubscription(
      source,
      { after: 0n, batchSize: 1 },
      async (events) => {
        seen.push(...events.map((e) => e.globalPosition));
        await sub.close();
      },
      () => {},
    );
    await sub.done;
    assert.deepEqual(seen, [1n]);
  });
});
