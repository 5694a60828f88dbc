import { after } from 'node:test';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { DataKeyStore } from '../../../src/privacy/data-key-store.ts';
import { sealedCatalogue } from '../../../src/privacy/sealed-catalogue.ts';
import { SealingEventStore } from '../../../src/privacy/sealing-event-store.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import { eventStoreContract } from '../../contract/event-store.contract.ts';
import { testCatalogue } from '../../contract/test-catalogue.ts';

/**
 * The sealing store is a decorator: with no personal fields in the test
 * catalogue it must behave exactly like the adapter under it, errors,
 * idempotency, subscriptions and fault hooks included. One in-memory PGlite,
 * emptied before each test (see event-store.pglite.test.ts).
 */
let shared: Promise<PgliteClient> | undefined;
after(async () => {
  await (await shared)?.close();
});

eventStoreContract({
  name: 'sealing store over pglite (memory)',
  open: async (hooks) => {
    shared ??= PgliteClient.open();
    const client = await shared;
    const inner = await PgliteEventStore.open({ client, catalogue: sealedCatalogue(testCatalogue), faultHooks: hooks });
    const keys = await DataKeyStore.open(client);
    await client.exec('TRUNCATE chorus_events, chorus_streams, chorus_data_keys RESTART IDENTITY');
    return new SealingEventStore({ inner, catalogue: testCatalogue, keys });
  },
});
