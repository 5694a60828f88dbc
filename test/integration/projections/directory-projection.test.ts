import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../src/events/envelope.ts';
import { directoryProjection } from '../../../src/projections/directory/directory-projection.ts';
import { directoryReader } from '../../../src/projections/directory/directory-reader.ts';
import { DIRECTORY_TABLES } from '../../../src/projections/directory/directory-sql.ts';
import { directorySeed, directoryView } from '../../../src/projections/directory/directory-view.ts';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { assertSeededEqualsReplayed, forEachReadModelBackend } from '../../support/read-model-suite.ts';
import {
  ALICE,
  BOB,
  CAROL,
  T0,
  appendAll,
  credentialsSet,
  deprovisioned,
  provisioned,
  updated,
} from '../../unit/projections/directory/domain-event-fixtures.ts';

const WAIT = 10_000;
const T1 = '2024-05-02T10:30:00.000Z';

function history(): NewEvent<DomainEvent>[] {
  return [
    provisioned(ALICE, { displayName: 'Alice', lineUri: 'tel:+14255550100;ext=100', enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'Standard', maxEndpoints: 4 }),
    provisioned(BOB),
    provisioned(CAROL),
    credentialsSet(ALICE, 'a'),
    credentialsSet(CAROL, 'c', 'chorus.test'),
    updated(ALICE, { displayName: 'Alice A.', lineUri: 'tel:+14255550101', enterpriseVoiceEnabled: true, dialPlan: null, voicePolicy: 'Standard', maxEndpoints: 6, at: T1 }),
    credentialsSet(ALICE, 'b', 'example.test', T1),
    deprovisioned(CAROL, T1),
  ];
}

forEachReadModelBackend('directory projection', { openStore: openDomainEventStore }, (suite) => {
  const runner = () => suite.runner(directoryProjection, { batchSize: 3 });

  it('given directory events, holds each live user and their HA1s; a deprovisioned user leaves no row', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    await r.waitForPosition(await appendAll(store, history()), WAIT);

    const users = await client.query('SELECT * FROM directory_users ORDER BY sip_uri');
    assert.deepEqual(users.rows, [
      {
        sip_uri: ALICE,
        display_name: 'Alice A.',
        line_uri: 'tel:+14255550101',
        enterprise_voice_enabled: true,
        dial_plan: null,
        voice_policy: 'Standard',
        max_endpoints: 6,
        provisioned_at: new Date(T0),
        updated_at: new Date(T1),
      },
      {
        sip_uri: BOB,
        display_name: 'User bob',
        line_uri: null,
        enterprise_voice_enabled: false,
        dial_plan: null,
        voice_policy: null,
        max_endpoints: 8,
        provisioned_at: new Date(T0),
        updated_at: new Date(T0),
      },
    ]);
    const credentials = await client.query('SELECT * FROM directory_credentials ORDER BY sip_uri');
    assert.deepEqual(credentials.rows, [
      { sip_uri: ALICE, realm: 'example.test', ha1_md5: 'b'.repeat(32), ha1_sha256: 'b'.repeat(64), set_at: new Date(T1) },
    ]);
  });

  it('rebuilds twice to tables byte-equal to the live ones', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const events = history();
    // Live, in several appends, so the runner sees several batches.
    await r.waitForPosition(await appendAll(store, events.slice(0, 3)), WAIT);
    await r.waitForPosition(await appendAll(store, events.slice(3)), WAIT);
    const live = await dumpTables(client, DIRECTORY_TABLES);
    assert.match(live, /Alice A\./);

    await r.rebuild();
    assert.equal(await dumpTables(client, DIRECTORY_TABLES), live);
    await r.rebuild();
    assert.equal(await dumpTables(client, DIRECTORY_TABLES), live);
  });

  it('seeds the directory view from its tables to the same state a replay from 0 builds', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const checkpoint = await appendAll(store, history());
    await r.waitForPosition(checkpoint, WAIT);

    const { seeded, replayed } = await assertSeededEqualsReplayed(suite, directoryView, directorySeed(client), checkpoint, WAIT);
    assert.equal(directoryReader(seeded).credentials(ALICE)?.ha1Sha256, 'b'.repeat(64));

    const last = await appendAll(store, [credentialsSet(BOB, 'e'), deprovisioned(ALICE, T1)]);
    await Promise.all([seeded.waitForPosition(last, WAIT), replayed.waitForPosition(last, WAIT)]);
    assert.deepStrictEqual(seeded.state, replayed.state);
    assert.deepEqual([...seeded.state.keys()], [BOB]);
  });

  it('fails, keeping the checkpoint before the batch, on credentials for an unknown user', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const good = await appendAll(store, [provisioned(BOB)]);
    await r.waitForPosition(good, WAIT);
    await assert.rejects(r.waitForPosition(await appendAll(store, [credentialsSet(ALICE, 'f')]), WAIT), /unknown user/);
    assert.equal(r.state, 'failed');
    assert.equal((await client.query('SELECT 1 FROM directory_credentials')).rows.length, 0);
  });
});
