import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import type { EventSubscription } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import { testCatalogue, type TestEvent } from '../../contract/test-catalogue.ts';
import { bump, note } from '../../support/notes-projection.ts';
import { waitUntil } from '../../support/wait-until.ts';

const LOG_READ = /FROM chorus_events e\s+WHERE e\.global_position > \$1/;

const SUBSCRIPTIONS = 8;

describe('SqlEventStore: live subscriptions at the same position share their reads', () => {
  let client: PgliteClient;
  let store: PgliteEventStore<TestEvent>;
  // The log reads (READ_ALL) that reach the database.
  let logReads = 0;

  before(async () => {
    client = await PgliteClient.open({ dataDir: 'memory://' });
    const query = client.query.bind(client);
    client.query = (text, params) => {
      if (LOG_READ.test(text)) logReads += 1;
      return query(text, params);
    };
    store = await PgliteEventStore.open({ client, catalogue: testCatalogue });
  });

  after(async () => {
    await store.close();
    await client.close();
  });

  it('one commit costs a couple of reads however many subscriptions follow the log, and each still gets every event once', async () => {
    await store.append('author-alice', [note('alice', 'before')], { expectedVersion: 'any' });
    const seen = Array.from({ length: SUBSCRIPTIONS }, () => [] as RecordedEvent<TestEvent>[]);
    const caughtUp = new Set<number>();
    const subscriptions: EventSubscription[] = seen.map((events, i) =>
      store.subscribe({ after: 0n, onCaughtUp: () => caughtUp.add(i) }, async (batch) => {
        events.push(...batch);
      }),
    );
    try {
      await waitUntil('every subscription caught up', () => caughtUp.size === SUBSCRIPTIONS);
      for (let round = 0; round < 5; round += 1) {
        const reads = logReads;
        const { positions } = await store.append('counter-1', [bump(1, round)], { expectedVersion: 'any' });
        const position = positions.at(-1)!;
        await waitUntil('every subscription saw the commit', () => seen.every((events) => events.at(-1)?.globalPosition === position));
        // Separately: 2 reads per subscription (the batch, then the empty read before sleeping) = 16.
        const used = logReads - reads;
        assert.ok(used <= 4, `round ${round}: ${used} log reads for ${SUBSCRIPTIONS} subscriptions`);
      }
      for (const events of seen) {
        assert.deepEqual(
          events.map((e) => e.type),
          ['test.note_added.v2', 'test.counter_bumped.v1', 'test.counter_bumped.v1', 'test.counter_bumped.v1', 'test.counter_bumped.v1', 'test.counter_bumped.v1'],
        );
        assert.equal(new Set(events.map((e) => e.globalPosition)).size, events.length);
      }
      // Each subscriber has its own array: one handler emptying its batch does not touch another's.
      assert.notEqual(seen[0], seen[1]);
    } finally {
      await Promise.all(subscriptions.map((s) => s.close()));
    }
  });
});
