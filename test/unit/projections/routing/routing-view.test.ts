import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../../src/events/envelope.ts';
import { ProjectionFailedError } from '../../../../src/projections/framework/errors.ts';
import { InMemoryView } from '../../../../src/projections/framework/in-memory-view.ts';
import { dialledNumberKey } from '../../../../src/projections/routing/number-key.ts';
import { routingReader, type RoutingReader } from '../../../../src/projections/routing/routing-reader.ts';
import type { RoutingState } from '../../../../src/projections/routing/routing-state.ts';
import { routingView, type RoutingChangeKey } from '../../../../src/projections/routing/routing-view.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';
import { ALICE, BOB, CAROL, T0, appendAll, deprovisioned, event, provisioned, updated } from '../directory/domain-event-fixtures.ts';
import { gateway, policy, redmondPlan, removed, route } from './voice-config-fixtures.ts';

const WAIT = 10_000;

const voiceUser = (sipUri: string, lineUri: string) =>
  provisioned(sipUri, { lineUri, enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'Standard' });

describe('dialledNumberKey', () => {
  it('gives a line URI and a normalized number the same key, extension included', () => {
    assert.equal(dialledNumberKey('+14255550100'), '+14255550100');
    assert.equal(dialledNumberKey('tel:+14255550100'), '+14255550100');
    assert.equal(dialledNumberKey('+14255550100;ext=100'), '+14255550100;ext=100');
  });

  it('has no key for what is not E.164', () => {
    for (const s of ['2001', '94255550100', '+0123', 'sip:alice@example.test', '+1 425 555 0100', ''])
      assert.equal(dialledNumberKey(s), null, s);
  });
});

describe('routing view', () => {
  let store: InMemoryEventStore<DomainEvent>;
  let view: InMemoryView<DomainEvent, RoutingState, RoutingChangeKey>;
  let reader: RoutingReader;
  let changed: Set<RoutingChangeKey>;

  beforeEach(async () => {
    store = new InMemoryEventStore(domainCatalogue);
    view = new InMemoryView({ store, definition: routingView, logger: silentLogger });
    changed = new Set();
    view.on('changed', (c) => c.keys.forEach((k) => changed.add(k)));
    reader = routingReader(view);
    await view.start();
  });

  afterEach(async () => {
    await view.close();
    await store.close();
  });

  async function given(events: readonly NewEvent<DomainEvent>[]): Promise<void> {
    await view.waitForPosition(await appendAll(store, events), WAIT);
  }

  it('finds a user by their line URI, with or without tel:, and an extension only when dialled', async () => {
    await given([voiceUser(ALICE, 'tel:+14255550100'), voiceUser(BOB, 'tel:+14255550200;ext=200'), provisioned(CAROL)]);
    assert.equal(reader.userByNumber('+14255550100')?.sipUri, ALICE);
    assert.equal(reader.userByNumber('tel:+14255550100')?.sipUri, ALICE);
    assert.equal(reader.userByNumber('+14255550200;ext=200')?.sipUri, BOB);
    assert.equal(reader.userByNumber('+14255550200'), null);
    assert.equal(reader.userByNumber('2001'), null);
    assert.deepEqual(reader.user(CAROL), {
      sipUri: CAROL,
      lineUri: null,
      enterpriseVoiceEnabled: false,
      dialPlan: null,
      voicePolicy: null,
      voice: { forwarding: { immediate: null, noAnswer: null, busy: null, unreachable: null }, simultaneousRing: [], delegates: [], teamCall: { members: [], ringAfterSeconds: 0 } },
    });
  });

  it('moves the number with a line URI change and drops a deprovisioned user everywhere', async () => {
    await given([voiceUser(ALICE, 'tel:+14255550100')]);
    await given([
      updated(ALICE, { displayName: 'Alice', lineUri: 'tel:+14255550111', enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'Standard', maxEndpoints: 8, at: T0 }),
    ]);
    assert.equal(reader.userByNumber('+14255550100'), null);
    assert.equal(reader.userByNumber('+14255550111')?.sipUri, ALICE);
    await given([deprovisioned(ALICE)]);
    assert.equal(reader.userByNumber('+14255550111'), null);
    assert.equal(reader.user(ALICE), null);
    assert.equal(reader.voiceFeatures(ALICE), null);
    assert.equal(view.state.usersByNumber.size, 0);
  });

  it('does not pick one of two users who share a number, but names both', async () => {
    await given([voiceUser(BOB, 'tel:+14255550100'), voiceUser(ALICE, 'tel:+14255550100')]);
    assert.equal(reader.userByNumber('+14255550100'), null);
    assert.deepEqual(reader.usersByNumber('+14255550100').map((u) => u.sipUri), [ALICE, BOB]);
    await given([deprovisioned(BOB)]);
    assert.equal(reader.userByNumber('+14255550100')?.sipUri, ALICE);
  });

  it('keeps forwarding, simultaneous ring, delegates and team call, each replaced whole, across a profile update', async () => {
    await given([
      voiceUser(ALICE, 'tel:+14255550100'),
      event('voice.forwarding_set.v1', { sipUri: ALICE, immediate: null, noAnswer: { afterSeconds: 20, target: 'tel:+14255550999' }, busy: BOB, unreachable: null, at: T0 }),
      event('voice.simultaneous_ring_set.v1', { sipUri: ALICE, targets: ['tel:+14255550998', BOB], at: T0 }),
      event('voice.delegates_set.v1', { sipUri: ALICE, delegates: [CAROL, BOB], at: T0 }),
      event('voice.team_call_set.v1', { sipUri: ALICE, members: [BOB], ringAfterSeconds: 10, at: T0 }),
      event('voice.simultaneous_ring_set.v1', { sipUri: ALICE, targets: [BOB], at: T0 }),
      updated(ALICE, { displayName: 'Alice', lineUri: 'tel:+14255550100', enterpriseVoiceEnabled: true, dialPlan: null, voicePolicy: 'Standard', maxEndpoints: 8, at: T0 }),
    ]);
    assert.deepEqual(reader.voiceFeatures(ALICE), {
      forwarding: { immediate: null, noAnswer: { afterSeconds: 20, target: 'tel:+14255550999' }, busy: BOB, unreachable: null },
      simultaneousRing: [BOB],
      delegates: [CAROL, BOB],
      teamCall: { members: [BOB], ringAfterSeconds: 10 },
    });
    assert.equal(reader.user(ALICE)?.dialPlan, null);
    assert.ok(changed.has(ALICE as RoutingChangeKey));
  });

  it('holds dial plans with their rules in order and compiled once, until removed', async () => {
    await given([redmondPlan()]);
    const plan = reader.dialPlan('Redmond');
    assert.deepEqual(plan?.definition.rules.map((r) => r.pattern), ['^(\\d{4})$', '^9(\\d{10})$', '^9011(\\d{7,15})$']);
    assert.deepEqual(plan?.patterns.map((p) => p.source), ['^(\\d{4})$', '^9(\\d{10})$', '^9011(\\d{7,15})$']);
    await given([removed('voice.dial_plan_removed.v1', 'Redmond')]);
    assert.equal(reader.dialPlan('Redmond'), null);
    assert.ok(changed.has('dialplan:Redmond'));
  });

  it('lists routes by priority then name whatever order they were defined in, and follows updates and removals', async () => {
    await given([
      route('B', 10, '^\\+1', ['Local'], ['gw-1']),
      route('C', 5, '^\\+1', ['Local'], ['gw-1']),
      route('A', 10, '^\\+1', ['Local'], ['gw-1']),
    ]);
    assert.deepEqual(reader.routes().map((r) => r.name), ['C', 'A', 'B']);
    await given([route('C', 50, '^\\+44', ['Intl'], ['gw-2', 'gw-1'], 'voice.pstn_route_updated.v1'), removed('voice.pstn_route_removed.v1', 'A')]);
    assert.deepEqual(reader.routes().map((r) => r.name), ['B', 'C']);
    assert.deepEqual(reader.routes()[1], { name: 'C', description: null, priority: 50, numberPattern: '^\\+44', pstnUsages: ['Intl'], gateways: ['gw-2', 'gw-1'] });
  });

  it('holds voice policies and gateways by name, until removed', async () => {
    await given([policy('Standard', ['Local', 'Long Distance']), gateway('gw-1', 'gw1.example.test:5067', 'tcp')]);
    assert.deepEqual(reader.voicePolicy('Standard')?.pstnUsages, ['Local', 'Long Distance']);
    assert.equal(reader.voicePolicy('Standard')?.features.teamCall, true);
    assert.deepEqual(reader.gateway('gw-1'), { name: 'gw-1', address: 'gw1.example.test:5067', transport: 'tcp' });
    await given([removed('voice.policy_removed.v1', 'Standard'), removed('voice.gateway_removed.v1', 'gw-1')]);
    assert.equal(reader.voicePolicy('Standard'), null);
    assert.equal(reader.gateway('gw-1'), null);
  });

  it('stops, rather than invent a user, when a voice setting arrives for an unknown one', async () => {
    const position = await appendAll(store, [event('voice.delegates_set.v1', { sipUri: ALICE, delegates: [BOB], at: T0 })]);
    await assert.rejects(view.waitForPosition(position, WAIT), (e: unknown) => e instanceof ProjectionFailedError && /unknown user/.test(e.message));
  });
});
