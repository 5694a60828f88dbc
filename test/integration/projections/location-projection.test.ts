import assert from 'node:assert/strict';
import { it } from 'node:test';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import { seedFromSqlProjection } from '../../../src/projections/framework/view-seed.ts';
import { createLocationReader } from '../../../src/projections/location/location-reader.ts';
import { locationProjection } from '../../../src/projections/location/location-sql-projection.ts';
import { LOCATION_TABLES, loadLocationViewState, selectBindings } from '../../../src/projections/location/location-tables.ts';
import { locationView } from '../../../src/projections/location/location-view.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { assertSeededEqualsReplayed, forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { ALICE, BOB, CAROL, DAVE, T0, appendAll, registered, t } from '../../unit/projections/presence/domain-event-fixtures.ts';
import { PRESENCE_DAY_AFTERNOON, PRESENCE_DAY_MORNING } from '../../unit/projections/presence/presence-scenario.ts';

const WAIT = 20_000;
const ERIN = 'sip:erin@example.test';

interface BindingRow {
  endpoint_id: string;
  aor: string;
  contact: string;
  instance_id: string | null;
  expires_at: Date;
  registered_at: Date;
  refreshed_at: Date | null;
}

async function bindingRows(client: SqlClient): Promise<Map<string, BindingRow>> {
  const { rows } = await client.query<BindingRow>('SELECT * FROM location_bindings');
  return new Map(rows.map((r) => [r.endpoint_id, r]));
}

forEachReadModelBackend('location projection', { openStore: openDomainEventStore }, (suite) => {
  const runner = (batchSize = 500) => suite.runner(locationProjection, { batchSize });

  it('given registrations and refreshes, one row per binding with its expiry', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const events = [
      ...PRESENCE_DAY_MORNING,
      registered(ALICE, 'alice-tablet', { at: t(150), instanceId: '<urn:uuid:00000000-0000-4000-8000-00000000000a>', userAgent: null }),
    ];
    await r.waitForPosition(await appendAll(store, events), WAIT);

    const rows = await bindingRows(client);
    assert.deepEqual([...rows.keys()].sort(), ['alice-desk', 'alice-phone', 'alice-tablet', 'bob-desk', 'carol-phone', 'dave-desk']);
    const bob = rows.get('bob-desk')!;
    assert.deepEqual(
      [bob.aor, bob.expires_at.toISOString(), bob.registered_at.toISOString(), bob.refreshed_at?.toISOString()],
      [BOB, t(3700), t(4), t(100)],
    );
    assert.equal(bob.instance_id, '<urn:uuid:00000000-0000-4000-8000-0000000000b0>', 'a refresh keeps the instance id');
    const tablet = rows.get('alice-tablet')!;
    assert.deepEqual([tablet.instance_id, tablet.refreshed_at], ['<urn:uuid:00000000-0000-4000-8000-00000000000a>', null]);
    assert.deepEqual((await selectBindings(client, ALICE)).map((b) => b.endpointId).sort(), ['alice-desk', 'alice-phone', 'alice-tablet']);
    assert.equal((await selectBindings(client, ALICE)).find((b) => b.endpointId === 'alice-desk')?.registeredAt, T0);
  });

  it('unregister, expiry and deprovisioning remove rows', async () => {
    const { client, store } = suite;
    const r = runner(5);
    await r.start();
    await r.waitForPosition(await appendAll(store, [...PRESENCE_DAY_MORNING, ...PRESENCE_DAY_AFTERNOON]), WAIT);
    const rows = await bindingRows(client);
    assert.deepEqual([...rows.keys()].sort(), ['bob-desk', 'carol-phone', 'erin-softphone']);
    assert.deepEqual([...new Set([...rows.values()].map((b) => b.aor))].sort(), [BOB, CAROL, ERIN]);
    assert.ok(![...rows.values()].some((b) => b.aor === DAVE || b.aor === ALICE));
  });

  it('rebuilding twice gives byte-equal tables, equal to the live ones', async () => {
    const { client, store } = suite;
    const r = runner(2);
    await r.start();
    await r.waitForPosition(await appendAll(store, PRESENCE_DAY_MORNING), WAIT);
    await r.waitForPosition(await appendAll(store, PRESENCE_DAY_AFTERNOON), WAIT);
    const live = await dumpTables(client, LOCATION_TABLES);
    await r.rebuild();
    const first = await dumpTables(client, LOCATION_TABLES);
    await r.rebuild();
    assert.equal(first, live);
    assert.equal(await dumpTables(client, LOCATION_TABLES), first);
    assert.match(live, /erin-softphone/);
  });

  it('a view seeded from the table equals a replayed view', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const checkpoint = await appendAll(store, PRESENCE_DAY_MORNING);
    await r.waitForPosition(checkpoint, WAIT);

    const { seeded, replayed } = await assertSeededEqualsReplayed(
      suite,
      locationView,
      seedFromSqlProjection(client, locationProjection.name, loadLocationViewState),
      checkpoint,
      WAIT,
    );
    assert.deepEqual(
      createLocationReader(seeded).liveContacts(ALICE, t(200)).map((b) => b.endpointId),
      ['alice-desk', 'alice-phone'],
    );

    const head = await appendAll(store, PRESENCE_DAY_AFTERNOON);
    await Promise.all([seeded.waitForPosition(head, WAIT), replayed.waitForPosition(head, WAIT)]);
    assert.deepEqual(seeded.state, replayed.state);
    const reader = createLocationReader(seeded);
    assert.deepEqual(reader.liveContacts(ERIN, t(3800)).map((b) => b.endpointId), ['erin-softphone']);
    assert.deepEqual(reader.liveContacts(ERIN, t(7301)), []);
    assert.equal(reader.bindingOf('dave-desk'), undefined);
  });
});
