import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import { InMemoryView } from '../../../src/projections/framework/in-memory-view.ts';
import { ProjectionManager } from '../../../src/projections/framework/projection-manager.ts';
import { seedFromSqlProjection } from '../../../src/projections/framework/view-seed.ts';
import { createLocationReader } from '../../../src/projections/location/location-reader.ts';
import { locationProjection } from '../../../src/projections/location/location-sql-projection.ts';
import { loadLocationViewState } from '../../../src/projections/location/location-tables.ts';
import type { LocationViewState } from '../../../src/projections/location/location-view-state.ts';
import { locationView } from '../../../src/projections/location/location-view.ts';
import { loadPresenceViewState, readPresenceFromSql } from '../../../src/projections/presence/load-presence.ts';
import { createPresenceReader } from '../../../src/projections/presence/presence-reader.ts';
import { presenceProjection } from '../../../src/projections/presence/presence-sql-projection.ts';
import { PRESENCE_TABLES } from '../../../src/projections/presence/presence-tables.ts';
import type { PresenceViewState } from '../../../src/projections/presence/presence-view-state.ts';
import { presenceView } from '../../../src/projections/presence/presence-view.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { assertSeededEqualsReplayed, forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { ALICE, BOB, CAROL, DAVE, appendAll, t } from '../../unit/projections/presence/domain-event-fixtures.ts';
import {
  PRESENCE_DAY_AFTERNOON,
  PRESENCE_DAY_MORNING,
  PRESENCE_PROBE_INSTANTS,
  PRESENCE_USERS,
} from '../../unit/projections/presence/presence-scenario.ts';

const WAIT = 20_000;
const ERIN = 'sip:erin@example.test';

interface StateRow {
  sip_uri: string;
  availability: string;
  code: number;
  activity: string | null;
  note: string | null;
  source: string;
  in_call: boolean;
  as_of: Date;
  valid_through: Date | null;
}

async function stateRows(client: SqlClient): Promise<Map<string, StateRow>> {
  const { rows } = await client.query<StateRow>('SELECT * FROM presence_states');
  return new Map(rows.map((r) => [r.sip_uri, r]));
}

async function blockRows(client: SqlClient): Promise<[string, string[]][]> {
  const { rows } = await client.query<{ sip_uri: string; blocked: string[] }>('SELECT sip_uri, blocked FROM presence_blocks');
  return rows.map((r): [string, string[]] => [r.sip_uri, r.blocked]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

async function column<T>(client: SqlClient, sql: string): Promise<T[]> {
  const { rows } = await client.query<Record<string, T>>(sql);
  return rows.map((r) => Object.values(r)[0]!);
}

forEachReadModelBackend('presence projection', { openStore: openDomainEventStore }, (suite) => {
  const runner = (batchSize = 500) => suite.runner(presenceProjection, { batchSize });

  it('given the morning, the rows hold each user\'s inputs, calls, watchers and aggregate', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    await r.waitForPosition(await appendAll(store, PRESENCE_DAY_MORNING), WAIT);

    const states = await stateRows(client);
    assert.deepEqual([...states.keys()].sort(), [ALICE, BOB, CAROL, DAVE]);
    // Alice: in call-1 since the first answer; her desk says Available, so the call wins.
    const alice = states.get(ALICE)!;
    assert.deepEqual(
      [alice.availability, alice.code, alice.activity, alice.note, alice.source, alice.in_call],
      ['busy', 6500, 'In a call', 'in the office', 'call', true],
    );
    // As of the last event that changed her inputs: the first answer (the transfer and second answer kept her seat).
    assert.equal(alice.as_of.toISOString(), t(30));
    assert.equal(alice.valid_through?.toISOString(), t(3600));
    // Bob: refreshed and republished Available at 101; out of both calls (parked call-2 retrieved by Carol).
    const bob = states.get(BOB)!;
    assert.deepEqual([bob.availability, bob.source, bob.in_call, bob.as_of.toISOString()], ['available', 'machine', false, t(101)]);
    // Carol: user-set Be Right Back beats her seat in call-2.
    const carol = states.get(CAROL)!;
    assert.deepEqual([carol.availability, carol.note, carol.source, carol.in_call], ['be_right_back', 'coffee', 'user', true]);
    assert.equal(carol.valid_through?.toISOString(), t(900));
    assert.deepEqual([states.get(DAVE)!.availability, states.get(DAVE)!.source], ['busy', 'call']);

    assert.deepEqual(
      (await client.query<{ sip_call_id: string; sip_uri: string }>('SELECT sip_call_id, sip_uri FROM presence_call_parties')).rows
        .map((r) => `${r.sip_call_id} ${r.sip_uri}`)
        .sort(),
      [`call-1 ${ALICE}`, `call-1 ${DAVE}`, `call-2 ${CAROL}`],
    );
    const watchers = (await client.query<{ sip_uri: string; subscription_id: string; watcher_uri: string }>('SELECT sip_uri, subscription_id, watcher_uri FROM presence_watchers')).rows;
    assert.deepEqual(watchers.map((w) => w.subscription_id).sort(), ['alice-watches-bob', 'bob-watches-alice', 'carol-watches-alice', 'dave-watches-carol']);
    // Block lists keep the user's order (a text[] column), and are not an aggregation input.
    assert.deepEqual(await blockRows(client), [
      [ALICE, ['spam.test', DAVE]],
      [DAVE, [BOB]],
    ]);
    assert.deepEqual(await column(client, 'SELECT count(*)::int FROM presence_publications'), [3]);
  });

  it('given the afternoon, lapses, deprovisioning and call ends leave exactly the survivors', async () => {
    const { client, store } = suite;
    const r = runner(4);
    await r.start();
    await r.waitForPosition(await appendAll(store, [...PRESENCE_DAY_MORNING, ...PRESENCE_DAY_AFTERNOON]), WAIT);

    const states = await stateRows(client);
    assert.deepEqual([...states.keys()].sort(), [ALICE, BOB, CAROL, ERIN]);
    const alice = states.get(ALICE)!;
    // Alice has no endpoint left but her DND is still set: Offline, with her note.
    assert.deepEqual([alice.availability, alice.source, alice.note, alice.in_call, alice.valid_through], ['offline', 'no_endpoint', 'focus time', false, null]);
    assert.deepEqual([states.get(ERIN)!.availability, states.get(ERIN)!.source, states.get(ERIN)!.in_call], ['busy', 'call', true]);
    assert.deepEqual([states.get(CAROL)!.availability, states.get(CAROL)!.source], ['available', 'registration']);

    assert.deepEqual(await column(client, 'SELECT sip_call_id FROM presence_calls'), ['call-3']);
    assert.deepEqual(await column(client, 'SELECT sip_uri FROM presence_call_parties'), [ERIN]);
    assert.deepEqual((await column<string>(client, 'SELECT subscription_id FROM presence_watchers')).sort(), ['alice-watches-bob', 'bob-watches-alice']);
    assert.deepEqual(await column(client, `SELECT expires_at FROM presence_watchers WHERE subscription_id = 'bob-watches-alice'`), [new Date(t(1200))]);
    // Alice's new list replaced the old; Carol's emptied list has no row; deprovisioned Dave's is gone.
    assert.deepEqual(await blockRows(client), [[ALICE, [DAVE, 'spam.test', 'sip:zed@spam.test']]]);
    assert.deepEqual(await column(client, `SELECT count(*)::int FROM presence_endpoints WHERE sip_uri = '${DAVE}'`), [0]);
  });

  it('rebuilding twice gives byte-equal tables, equal to the live ones', async () => {
    const { client, store } = suite;
    const r = runner(3);
    await r.start();
    await r.waitForPosition(await appendAll(store, PRESENCE_DAY_MORNING), WAIT);
    await r.waitForPosition(await appendAll(store, PRESENCE_DAY_AFTERNOON), WAIT);
    const live = await dumpTables(client, PRESENCE_TABLES);
    await r.rebuild();
    const first = await dumpTables(client, PRESENCE_TABLES);
    await r.rebuild();
    const second = await dumpTables(client, PRESENCE_TABLES);
    assert.equal(first, live);
    assert.equal(second, first);
    assert.match(live, /presence_states/);
  });

  it('a view seeded from the tables equals a replayed view, and SQL readers agree with it', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const checkpoint = await appendAll(store, PRESENCE_DAY_MORNING);
    await r.waitForPosition(checkpoint, WAIT);

    const { seeded, replayed } = await assertSeededEqualsReplayed(
      suite,
      presenceView,
      seedFromSqlProjection(client, presenceProjection.name, loadPresenceViewState),
      checkpoint,
      WAIT,
    );

    const head = await appendAll(store, PRESENCE_DAY_AFTERNOON);
    await Promise.all([seeded.waitForPosition(head, WAIT), replayed.waitForPosition(head, WAIT), r.waitForPosition(head, WAIT)]);
    assert.deepEqual(seeded.state, replayed.state);
    // And a fresh seed at the head is the same state again.
    const reseeded = await seedFromSqlProjection(client, presenceProjection.name, loadPresenceViewState)();
    assert.equal(reseeded.position, head);
    assert.deepEqual(reseeded.state, replayed.state);

    const reader = createPresenceReader(replayed);
    for (const user of PRESENCE_USERS)
      for (const now of PRESENCE_PROBE_INSTANTS)
        assert.deepEqual(await readPresenceFromSql(client, user, now), reader.presenceOf(user, now), `${user} at ${now}`);
  });

  it('runs with the location model under one ProjectionManager; after a restart both views seed from SQL', async () => {
    const { client, store } = suite;
    const first = new ProjectionManager<DomainEvent>({ store, client, projections: [presenceProjection, locationProjection], logger: silentLogger });
    suite.closeAfterTest(first);
    await first.start();
    await first.waitForPosition(await appendAll(store, PRESENCE_DAY_MORNING), WAIT);
    await first.close();

    const presence = new InMemoryView<DomainEvent, PresenceViewState>({
      store,
      definition: presenceView,
      seed: seedFromSqlProjection(client, presenceProjection.name, loadPresenceViewState),
      logger: silentLogger,
    });
    const location = new InMemoryView<DomainEvent, LocationViewState>({
      store,
      definition: locationView,
      seed: seedFromSqlProjection(client, locationProjection.name, loadLocationViewState),
      logger: silentLogger,
    });
    const second = new ProjectionManager<DomainEvent>({
      store,
      client,
      projections: [presenceProjection, locationProjection],
      views: [presence, location],
      logger: silentLogger,
    });
    suite.closeAfterTest(second);
    await second.start();
    assert.deepEqual(second.names, ['presence', 'location', 'presence_view', 'location_view']);
    await second.waitForPosition(await appendAll(store, PRESENCE_DAY_AFTERNOON), WAIT);

    const presenceReader = createPresenceReader(presence);
    const locationReader = createLocationReader(location);
    assert.deepEqual(locationReader.liveContacts(ERIN, t(3800)).map((b) => b.endpointId), ['erin-softphone']);
    assert.equal(presenceReader.presenceOf(ERIN, t(3800)).activity, 'In a call');
    assert.equal(presenceReader.presenceOf(DAVE, t(3800)).availability, 'offline');
    assert.deepEqual(presenceReader.watchersOf(ALICE, t(1000)).map((w) => w.watcherUri), [BOB]);
    assert.equal(presenceReader.presenceOf(BOB, t(1000)).availability, 'available');
  });
});
