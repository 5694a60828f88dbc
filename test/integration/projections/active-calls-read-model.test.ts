import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CallRoute } from '../../../src/events/domain/call-events.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { activeCall } from '../../../src/projections/active-calls/active-call.ts';
import { ACTIVE_CALLS_TABLES, activeCallsProjection } from '../../../src/projections/active-calls/active-calls-projection.ts';
import { listActiveCalls } from '../../../src/projections/active-calls/list-active-calls.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { assertRebuildsAreByteEqual, DomainScenario, runToHead, startRunner, WAIT_MS } from './domain-read-model-harness.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const DAVE = 'sip:dave@example.test';
const T0 = '2024-05-01T09:00:00.000Z';

const toBob: CallRoute = { kind: 'user', target: BOB, contacts: ['sip:bob@10.0.0.2:5061;transport=tls'] };
const toPstn: CallRoute = {
  kind: 'pstn',
  number: '+14255550100',
  routeName: 'Local',
  gateway: 'gw1',
  gateways: ['gw1', 'gw2'],
  voicePolicy: 'Standard',
  pstnUsage: 'Local',
};

/** Five calls in five states, plus one that ended. */
async function fiveCalls(s: DomainScenario): Promise<void> {
  s.at(T0);
  await s.call('held-1', { type: 'InitiateCall', data: { sipCallId: 'held-1', caller: ALICE, dialledString: 'bob' } });
  await s.call('held-1', { type: 'RouteCall', data: { route: toBob } });
  await s.call('held-1', { type: 'MarkCallRinging', data: { contact: 'sip:bob@10.0.0.2:5061;transport=tls' } });
  s.later(5);
  await s.call('held-1', { type: 'AnswerCall', data: { contact: 'sip:bob@10.0.0.2:5061;transport=tls' } });
  s.later(30);
  await s.call('held-1', { type: 'HoldCall', data: { by: ALICE } });

  s.at('2024-05-01T09:01:00.000Z');
  await s.call('pstn-2', {
    type: 'InitiateCall',
    data: { sipCallId: 'pstn-2', caller: ALICE, dialledString: '5550100', normalizedNumber: '+14255550100' },
  });
  await s.call('pstn-2', { type: 'RouteCall', data: { route: toPstn } });
  await s.call('pstn-2', { type: 'MarkCallRinging', data: {} });

  s.at('2024-05-01T09:02:00.000Z');
  await s.call('done-3', { type: 'InitiateCall', data: { sipCallId: 'done-3', caller: BOB, dialledString: 'alice' } });
  await s.call('done-3', { type: 'RouteCall', data: { route: { kind: 'user', target: ALICE, contacts: ['sip:alice@10.0.0.1'] } } });
  await s.call('done-3', { type: 'AnswerCall', data: { contact: 'sip:alice@10.0.0.1' } });
  s.later(61);
  await s.call('done-3', { type: 'EndCall', data: { cause: 'completed' } });

  s.at('2024-05-01T09:03:00.000Z');
  await s.call('fwd-4', { type: 'InitiateCall', data: { sipCallId: 'fwd-4', caller: CAROL, dialledString: 'bob' } });
  await s.call('fwd-4', { type: 'RouteCall', data: { route: toBob } });
  await s.call('fwd-4', { type: 'ForwardCall', data: { reason: 'no_answer', from: BOB, to: DAVE } });

  s.at('2024-05-01T09:04:00.000Z');
  await s.call('park-5', { type: 'InitiateCall', data: { sipCallId: 'park-5', caller: CAROL, dialledString: 'alice' } });
  await s.call('park-5', { type: 'RouteCall', data: { route: { kind: 'user', target: ALICE, contacts: ['sip:alice@10.0.0.1'] } } });
  await s.call('park-5', { type: 'AnswerCall', data: { contact: 'sip:alice@10.0.0.1' } });
  await s.call('park-5', { type: 'ParkCall', data: { orbit: '701', by: ALICE } });
}

forEachReadModelBackend<DomainEvent>('active calls read model', {}, (suite) => {
  const run = (s: DomainScenario) => runToHead(suite, s, activeCallsProjection);

  it('given calls in every state, lists those not ended with state, parties, route and instants', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await fiveCalls(s);
    await run(s);

    const calls = await listActiveCalls(client);
    assert.deepEqual(
      calls.map((c) => [c.sipCallId, c.state]),
      [
        ['held-1', 'held'],
        ['pstn-2', 'ringing'],
        ['fwd-4', 'initiated'],
        ['park-5', 'parked'],
      ],
    );
    assert.deepEqual(calls[0], {
      sipCallId: 'held-1',
      state: 'held',
      caller: ALICE,
      dialledString: 'bob',
      normalizedNumber: null,
      target: BOB,
      route: { kind: 'user', contacts: ['sip:bob@10.0.0.2:5061;transport=tls'] },
      answeredContact: 'sip:bob@10.0.0.2:5061;transport=tls',
      parkOrbit: null,
      startedAt: T0,
      answeredAt: '2024-05-01T09:00:05.000Z',
      updatedAt: '2024-05-01T09:00:35.000Z',
    });
    assert.deepEqual(calls[1], {
      sipCallId: 'pstn-2',
      state: 'ringing',
      caller: ALICE,
      dialledString: '5550100',
      normalizedNumber: '+14255550100',
      target: '+14255550100',
      route: { kind: 'pstn', routeName: 'Local', gateway: 'gw1', voicePolicy: 'Standard', pstnUsage: 'Local' },
      answeredContact: null,
      parkOrbit: null,
      startedAt: '2024-05-01T09:01:00.000Z',
      answeredAt: null,
      updatedAt: '2024-05-01T09:01:00.000Z',
    });
    // Forwarded: the new target waits for its route.
    assert.equal(calls[2]?.target, DAVE);
    assert.equal(calls[2]?.route, null);
    assert.equal(calls[3]?.parkOrbit, '701');
    assert.equal(await activeCall(client, 'done-3'), null, 'an ended call leaves the table');
    assert.equal(await activeCall(client, 'never-was'), null);
    assert.deepEqual(await activeCall(client, 'pstn-2'), calls[1]);
  });

  it('follows live events: resume, retrieve, a transfer re-routing, and the end of every call', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await fiveCalls(s);
    const runner = await run(s);
    await waitUntil('the runner is live', () => runner.state === 'live');

    s.at('2024-05-01T09:10:00.000Z');
    await s.call('held-1', { type: 'ResumeCall', data: { by: ALICE } });
    await s.call('park-5', { type: 'RetrieveCall', data: { orbit: '701', by: CAROL } });
    await s.call('held-1', { type: 'TransferCall', data: { by: BOB, to: CAROL } });
    await runner.waitForPosition(await s.head(), WAIT_MS);
    const held = await activeCall(client, 'held-1');
    assert.equal(held?.state, 'initiated');
    assert.equal(held?.target, CAROL);
    assert.equal(held?.route, null);
    assert.equal(held?.answeredAt, '2024-05-01T09:00:05.000Z', 'a transfer keeps the first answer');
    assert.equal((await activeCall(client, 'park-5'))?.state, 'answered');
    assert.equal((await activeCall(client, 'park-5'))?.parkOrbit, null);

    await s.call('held-1', { type: 'RouteCall', data: { route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] } } });
    s.later(10);
    await s.call('held-1', { type: 'AnswerCall', data: { contact: 'sip:carol@10.0.0.3' } });
    await runner.waitForPosition(await s.head(), WAIT_MS);
    const answered = await activeCall(client, 'held-1');
    assert.equal(answered?.state, 'answered');
    assert.equal(answered?.answeredAt, '2024-05-01T09:00:05.000Z');
    assert.equal(answered?.answeredContact, 'sip:carol@10.0.0.3');

    for (const id of ['held-1', 'pstn-2', 'fwd-4', 'park-5']) await s.call(id, { type: 'EndCall', data: { cause: 'completed' } });
    await runner.waitForPosition(await s.head(), WAIT_MS);
    assert.deepEqual(await listActiveCalls(client), []);
  });

  it('rebuilds twice to byte-equal tables', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await fiveCalls(s);
    const runner = await run(s);
    const dump = await assertRebuildsAreByteEqual(runner, client, ACTIVE_CALLS_TABLES);
    assert.match(dump, /"park-5"/);
  });

  it('a call event for a call it never saw start fails the batch and writes nothing', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await s.store.append(
      'call-ghost',
      [
        {
          id: '01890a5d-ac96-774b-bcce-b302099a8057',
          type: 'call.ringing.v1',
          data: { sipCallId: 'ghost', contact: null, at: T0 },
          metadata: { occurredAt: T0, correlationId: 'c', causationId: null, actor: 'test', node: 'test' },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    const runner = await startRunner(suite, s, activeCallsProjection);
    await assert.rejects(runner.waitForPosition(1n, WAIT_MS), /not in progress/);
    assert.equal(runner.state, 'failed');
    assert.deepEqual(await listActiveCalls(client), []);
  });
});
