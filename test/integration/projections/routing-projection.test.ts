import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../src/events/envelope.ts';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import { resolveRoutingInput } from '../../../src/projections/routing/routing-input.ts';
import { routingProjection } from '../../../src/projections/routing/routing-projection.ts';
import { routingReader } from '../../../src/projections/routing/routing-reader.ts';
import { ROUTING_TABLES } from '../../../src/projections/routing/routing-sql.ts';
import { routingSeed, routingView } from '../../../src/projections/routing/routing-view.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { assertSeededEqualsReplayed, forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { ALICE, BOB, CAROL, T0, appendAll, deprovisioned, event, provisioned, updated } from '../../unit/projections/directory/domain-event-fixtures.ts';
import { gateway, redmondPlan, removed, route, voiceScenario } from '../../unit/projections/routing/voice-config-fixtures.ts';

const WAIT = 10_000;

function history(): NewEvent<DomainEvent>[] {
  const ev = { enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'Standard' };
  return [
    ...voiceScenario(),
    provisioned(ALICE, { ...ev, lineUri: 'tel:+14255550100' }),
    provisioned(BOB, { ...ev, lineUri: 'tel:+14255552001;ext=2001' }),
    provisioned(CAROL, { ...ev, lineUri: 'tel:+14255550300' }),
    event('voice.forwarding_set.v1', { sipUri: ALICE, immediate: null, noAnswer: { afterSeconds: 20, target: BOB }, busy: 'tel:+14255550999', unreachable: null, at: T0 }),
    event('voice.simultaneous_ring_set.v1', { sipUri: ALICE, targets: ['tel:+14255550998', CAROL], at: T0 }),
    event('voice.delegates_set.v1', { sipUri: ALICE, delegates: [CAROL, BOB], at: T0 }),
    event('voice.team_call_set.v1', { sipUri: ALICE, members: [BOB], ringAfterSeconds: 10, at: T0 }),
    event('voice.delegates_set.v1', { sipUri: CAROL, delegates: [ALICE], at: T0 }),
    updated(ALICE, { displayName: 'Alice', lineUri: 'tel:+14255550101', enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'LocalOnly', maxEndpoints: 8, at: T0 }),
    redmondPlan('voice.dial_plan_updated.v1'),
    route('US', 15, '^\\+1\\d{10}$', ['Long Distance'], ['gw-2', 'gw-1'], 'voice.pstn_route_updated.v1'),
    removed('voice.pstn_route_removed.v1', 'US-backup'),
    gateway('gw-old', '198.51.100.1:5060'),
    removed('voice.gateway_removed.v1', 'gw-old'),
    deprovisioned(CAROL),
  ];
}

forEachReadModelBackend('routing projection', { openStore: openDomainEventStore }, (suite) => {
  const runner = () => suite.runner(routingProjection, { batchSize: 4 });

  it('given users, voice settings and Enterprise Voice configuration, holds the rows the call router needs', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    await r.waitForPosition(await appendAll(store, history()), WAIT);

    const users = await client.query('SELECT * FROM routing_users ORDER BY sip_uri');
    assert.deepEqual(users.rows, [
      {
        sip_uri: ALICE,
        line_uri: 'tel:+14255550101',
        line_number: '+14255550101',
        enterprise_voice_enabled: true,
        dial_plan: 'Redmond',
        voice_policy: 'LocalOnly',
        forward_immediate: null,
        forward_no_answer_target: BOB,
        forward_no_answer_seconds: 20,
        forward_busy: 'tel:+14255550999',
        forward_unreachable: null,
        simultaneous_ring: ['tel:+14255550998', CAROL],
        delegates: [CAROL, BOB],
        team_members: [BOB],
        team_ring_after_seconds: 10,
      },
      {
        sip_uri: BOB,
        line_uri: 'tel:+14255552001;ext=2001',
        line_number: '+14255552001;ext=2001',
        enterprise_voice_enabled: true,
        dial_plan: 'Redmond',
        voice_policy: 'Standard',
        forward_immediate: null,
        forward_no_answer_target: null,
        forward_no_answer_seconds: null,
        forward_busy: null,
        forward_unreachable: null,
        simultaneous_ring: [],
        delegates: [],
        team_members: [],
        team_ring_after_seconds: 0,
      },
    ]);
    const rules = await client.query('SELECT dial_plan, ordinal, pattern, translation FROM routing_dial_plan_rules ORDER BY dial_plan, ordinal');
    assert.deepEqual(rules.rows, [
      { dial_plan: 'Redmond', ordinal: 0, pattern: '^(\\d{4})$', translation: '+1425555$1' },
      { dial_plan: 'Redmond', ordinal: 1, pattern: '^9(\\d{10})$', translation: '+1$1' },
      { dial_plan: 'Redmond', ordinal: 2, pattern: '^9011(\\d{7,15})$', translation: '+$1' },
    ]);
    const policies = await client.query('SELECT name, pstn_usages, forwarding, team_call FROM routing_voice_policies ORDER BY name');
    assert.deepEqual(policies.rows, [
      { name: 'LocalOnly', pstn_usages: ['Local'], forwarding: false, team_call: false },
      { name: 'Standard', pstn_usages: ['Local', 'Long Distance'], forwarding: true, team_call: true },
    ]);
    const routes = await client.query('SELECT name, priority, number_pattern, pstn_usages, gateways FROM routing_pstn_routes ORDER BY priority, name');
    assert.deepEqual(routes.rows, [
      { name: 'Local-425', priority: 5, number_pattern: '^\\+1425\\d{7}$', pstn_usages: ['Local'], gateways: ['gw-local'] },
      { name: 'US', priority: 15, number_pattern: '^\\+1\\d{10}$', pstn_usages: ['Long Distance'], gateways: ['gw-2', 'gw-1'] },
    ]);
    const gateways = await client.query('SELECT * FROM routing_gateways ORDER BY name');
    assert.deepEqual(gateways.rows, [
      { name: 'gw-1', address: 'gw1.example.test:5067', transport: 'tls' },
      { name: 'gw-2', address: 'gw2.example.test:5067', transport: 'tcp' },
      { name: 'gw-local', address: '192.0.2.10:5060', transport: 'udp' },
    ]);
    // Reverse number lookup in SQL, by the same key the view uses.
    const byNumber = await client.query(`SELECT sip_uri FROM routing_users WHERE line_number = '+14255552001;ext=2001'`);
    assert.deepEqual(byNumber.rows, [{ sip_uri: BOB }]);
  });

  it('removes a dial plan with its rules', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    await r.waitForPosition(await appendAll(store, [redmondPlan(), removed('voice.dial_plan_removed.v1', 'Redmond')]), WAIT);
    assert.equal((await client.query('SELECT 1 FROM routing_dial_plans')).rows.length, 0);
    assert.equal((await client.query('SELECT 1 FROM routing_dial_plan_rules')).rows.length, 0);
  });

  it('rebuilds twice to tables byte-equal to the live ones', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const events = history();
    await r.waitForPosition(await appendAll(store, events.slice(0, 10)), WAIT);
    await r.waitForPosition(await appendAll(store, events.slice(10)), WAIT);
    const live = await dumpTables(client, ROUTING_TABLES);
    assert.match(live, /gw-local/);

    await r.rebuild();
    assert.equal(await dumpTables(client, ROUTING_TABLES), live);
    await r.rebuild();
    assert.equal(await dumpTables(client, ROUTING_TABLES), live);
  });

  it('seeds the routing view from its tables to the same state a replay from 0 builds, and both route alike', async () => {
    const { client, store } = suite;
    const r = runner();
    await r.start();
    const checkpoint = await appendAll(store, history());
    await r.waitForPosition(checkpoint, WAIT);

    const { seeded, replayed } = await assertSeededEqualsReplayed(suite, routingView, routingSeed(client), checkpoint, WAIT);
    assert.equal(routingReader(seeded).userByNumber('+14255552001;ext=2001')?.sipUri, BOB);
    assert.deepEqual(routingReader(seeded).routes().map((x) => x.name), ['Local-425', 'US']);

    const last = await appendAll(store, [
      route('Intl', 1, '^\\+44', ['Long Distance'], ['gw-1']),
      event('voice.simultaneous_ring_set.v1', { sipUri: BOB, targets: [ALICE], at: T0 }),
      deprovisioned(ALICE),
    ]);
    await Promise.all([seeded.waitForPosition(last, WAIT), replayed.waitForPosition(last, WAIT)]);
    assert.deepStrictEqual(seeded.state, replayed.state);
    assert.deepStrictEqual(
      resolveRoutingInput(routingReader(seeded), BOB, '9011442079460000'),
      resolveRoutingInput(routingReader(replayed), BOB, '9011442079460000'),
    );
  });

  it('fails, keeping the checkpoint before the batch, on a voice setting for an unknown user', async () => {
    const { store } = suite;
    const r = runner();
    await r.start();
    await r.waitForPosition(await appendAll(store, [provisioned(BOB)]), WAIT);
    const bad = await appendAll(store, [event('voice.team_call_set.v1', { sipUri: ALICE, members: [BOB], ringAfterSeconds: 0, at: T0 })]);
    await assert.rejects(r.waitForPosition(bad, WAIT), /unknown user/);
    assert.equal(r.state, 'failed');
  });
});
