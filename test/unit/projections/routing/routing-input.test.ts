import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectPstnRoute } from '../../../../src/commands/voice-config/select-pstn-route.ts';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { Gateway } from '../../../../src/events/domain/voice-config-events.ts';
import { InMemoryView } from '../../../../src/projections/framework/in-memory-view.ts';
import { resolveRoutingInput, type RoutingInput } from '../../../../src/projections/routing/routing-input.ts';
import { routingReader, type RoutingReader } from '../../../../src/projections/routing/routing-reader.ts';
import type { RoutingState } from '../../../../src/projections/routing/routing-state.ts';
import { routingView, type RoutingChangeKey } from '../../../../src/projections/routing/routing-view.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';
import { ALICE, BOB, CAROL, appendAll, provisioned } from '../directory/domain-event-fixtures.ts';
import { removed, voiceScenario } from './voice-config-fixtures.ts';

const DAVE = 'sip:dave@example.test';
const ERIN = 'sip:erin@example.test';
const FRANK = 'sip:frank@example.test';

type Resolved = Extract<RoutingInput, { kind: 'resolved' }>;

function resolved(input: RoutingInput): Resolved {
  assert.equal(input.kind, 'resolved');
  return input as Resolved;
}

/** The call router's next step, as it will take it: route selection on the input, then the gateways' definitions. */
function pstnGateways(reader: RoutingReader, input: Resolved): { route: string; usage: string; gateways: (Gateway | null)[] } | null {
  if (input.pstn.kind !== 'ready') return null;
  const selection = selectPstnRoute(input.pstn.policy, input.pstn.routes, input.pstn.number);
  if (selection === null) return null;
  return { route: selection.route.name, usage: selection.pstnUsage, gateways: selection.gateways.map((g) => reader.gateway(g)) };
}

describe('resolveRoutingInput, end to end from events', () => {
  let store: InMemoryEventStore<DomainEvent>;
  let view: InMemoryView<DomainEvent, RoutingState, RoutingChangeKey>;
  let reader: RoutingReader;

  before(async () => {
    store = new InMemoryEventStore(domainCatalogue);
    view = new InMemoryView({ store, definition: routingView, logger: silentLogger });
    reader = routingReader(view);
    await view.start();
    const ev = { enterpriseVoiceEnabled: true, dialPlan: 'Redmond' };
    const head = await appendAll(store, [
      ...voiceScenario(),
      provisioned(ALICE, { ...ev, lineUri: 'tel:+14255550100', voicePolicy: 'Standard' }),
      provisioned(BOB, { ...ev, lineUri: 'tel:+14255552001', voicePolicy: 'Standard' }),
      provisioned(CAROL, { ...ev, lineUri: 'tel:+14255550000;ext=123', voicePolicy: 'LocalOnly' }),
      provisioned(DAVE, { lineUri: 'tel:+14255550300', dialPlan: 'Redmond', voicePolicy: 'Standard' }),
      provisioned(ERIN, { ...ev, lineUri: 'tel:+14255550400', dialPlan: 'Gone', voicePolicy: 'Missing' }),
      provisioned(FRANK, { ...ev, lineUri: 'tel:+14255550500', voicePolicy: null }),
    ]);
    await view.waitForPosition(head, 10_000);
  });

  after(async () => {
    await view.close();
    await store.close();
  });

  it('normalizes an extension with the caller’s dial plan and finds the user by reverse number lookup', () => {
    const input = resolved(resolveRoutingInput(reader, ALICE, '2001'));
    assert.equal(input.normalization.number, '+14255552001');
    assert.equal(input.normalization.rule?.description, 'extension');
    assert.equal(input.callee?.sipUri, BOB);
    assert.equal(input.dialPlan?.name, 'Redmond');
  });

  it('gives a local PSTN number the Local route and its gateway', () => {
    const input = resolved(resolveRoutingInput(reader, ALICE, '94255550199'));
    assert.equal(input.callee, null);
    assert.deepEqual(pstnGateways(reader, input), {
      route: 'Local-425',
      usage: 'Local',
      gateways: [{ name: 'gw-local', address: '192.0.2.10:5060', transport: 'udp' }],
    });
  });

  it('gives a long-distance number the best-priority route for the next usage, gateways in order', () => {
    const input = resolved(resolveRoutingInput(reader, ALICE, '92125550100'));
    assert.equal(input.normalization.number, '+12125550100');
    assert.deepEqual(pstnGateways(reader, input), {
      route: 'US',
      usage: 'Long Distance',
      gateways: [
        { name: 'gw-1', address: 'gw1.example.test:5067', transport: 'tls' },
        { name: 'gw-2', address: 'gw2.example.test:5067', transport: 'tcp' },
      ],
    });
  });

  it('lets a policy without the usage reach no route', () => {
    const input = resolved(resolveRoutingInput(reader, CAROL, '92125550100'));
    assert.equal(input.pstn.kind, 'ready');
    assert.equal(pstnGateways(reader, input), null);
  });

  it('finds a line URI with an extension when the number is dialled with it', () => {
    const input = resolved(resolveRoutingInput(reader, ALICE, '+14255550000;ext=123'));
    assert.equal(input.normalization.rule, null);
    assert.equal(input.callee?.sipUri, CAROL);
  });

  it('reaches a user by SIP URI without a dial plan, and never the PSTN', () => {
    const input = resolved(resolveRoutingInput(reader, ALICE, BOB));
    assert.equal(input.callee?.sipUri, BOB);
    assert.deepEqual(input.pstn, { kind: 'unavailable', reason: 'not_a_phone_number' });
  });

  it('explains why a caller cannot reach the PSTN', () => {
    assert.deepEqual(resolved(resolveRoutingInput(reader, DAVE, '92125550100')).pstn, { kind: 'unavailable', reason: 'voice_not_enabled' });
    assert.deepEqual(resolved(resolveRoutingInput(reader, FRANK, '92125550100')).pstn, { kind: 'unavailable', reason: 'no_voice_policy' });
    // Erin's dial plan is not defined either: the digits go on as dialled, which is no E.164 number.
    assert.deepEqual(resolved(resolveRoutingInput(reader, ERIN, '92125550100')).pstn, { kind: 'unavailable', reason: 'not_a_phone_number' });
    assert.deepEqual(resolved(resolveRoutingInput(reader, ERIN, '+12125550100')).pstn, { kind: 'unavailable', reason: 'voice_policy_undefined' });
    assert.deepEqual(resolveRoutingInput(reader, 'sip:nobody@example.test', '2001'), { kind: 'unknown_caller', caller: 'sip:nobody@example.test' });
  });

  it('follows the log: a removed dial plan no longer translates', async () => {
    await view.waitForPosition(await appendAll(store, [removed('voice.dial_plan_removed.v1', 'Redmond')]), 10_000);
    const input = resolved(resolveRoutingInput(reader, ALICE, '2001'));
    assert.equal(input.dialPlan, null);
    assert.deepEqual(input.normalization, { number: '2001', rule: null });
    assert.equal(input.callee, null);
  });
});
