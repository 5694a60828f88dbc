import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { FaultHooks } from '../../src/events/fault-hooks.ts';
import { EventStoreDbEventStore } from '../../src/events/store/eventstoredb/eventstoredb-event-store.ts';
import { eventStoreContract } from '../contract/event-store.contract.ts';
import { testCatalogue } from '../contract/test-catalogue.ts';

/**
 * The store contract against a real EventStoreDB / KurrentDB, e.g.
 *   docker run -d -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=None
 *   ESDB_URL='esdb://127.0.0.1:2113?tls=false' node --import tsx --test test/integration/event-store.eventstoredb.test.ts
 *
 * The server may be shared and is never wiped, so every `open` gets a fresh
 * namespace: its streams are `<namespace>:<stream>` and its readAll, subscribe
 * and headPosition see only them. Each contract test therefore starts with an
 * empty log, as it does on a fresh PGlite database, even though $all holds
 * earlier runs, other tests and ESDB's own system events.
 */

const url = process.env['ESDB_URL'];

if (url) {
  const run = `chorus_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let opened = 0;
  eventStoreContract({
    name: 'eventstoredb',
    open: (hooks: FaultHooks) =>
      EventStoreDbEventStore.connect({
        connectionString: url,
        catalogue: testCatalogue,
        faultHooks: hooks,
        namespace: `${run}_${(opened += 1)}`,
      }),
  });
} else {
  test('eventstoredb event store contract', {
    skip: 'eventstoredb: ESDB_URL not set — no EventStoreDB server on this machine',
  }, () => {});
}
