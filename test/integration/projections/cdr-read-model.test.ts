import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ZodError } from 'zod';
import type { CallRoute } from '../../../src/events/domain/call-events.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { cdrPage } from '../../../src/projections/cdr/cdr-page.ts';
import { CDR_TABLES, cdrProjection } from '../../../src/projections/cdr/cdr-projection.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { assertRebuildsAreByteEqual, DomainScenario, runToHead } from './domain-read-model-harness.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const DAVE = 'sip:dave@example.test';
const T0 = '2024-05-01T09:00:00.000Z';
const OUTSIDE = 'tel:+14255550199';

const userRoute = (target: string): CallRoute => ({ kind: 'user', target, contacts: [`${target};transport=tls`] });
const pstnRoute = (number: string): CallRoute => ({
  kind: 'pstn',
  number,
  routeName: 'Local',
  gateway: 'gw2',
  gateways: ['gw1', 'gw2'],
  voicePolicy: 'Standard',
  pstnUsage: 'Local',
});

/** Three finished calls (two ending at the same instant), one still ringing. */
async function calls(s: DomainScenario): Promise<void> {
  s.at(T0);
  await s.call('c-2', {
    type: 'InitiateCall',
    data: { sipCallId: 'c-2', caller: ALICE, dialledString: '5550100', normalizedNumber: '+14255550100' },
  });
  await s.call('c-2', { type: 'RouteCall', data: { route: pstnRoute('+14255550100') } });
  await s.call('c-2', { type: 'MarkCallRinging', data: {} });
  s.later(5);
  await s.call('c-1', { type: 'InitiateCall', data: { sipCallId: 'c-1', caller: 'tel:+15550001111', dialledString: '+14255550102', inboundGateway: 'gw-in' } });
  await s.call('c-1', { type: 'RouteCall', data: { route: userRoute(BOB) } });
  await s.call('c-1', { type: 'AddCallLeg', data: { reason: 'delegate', onBehalfOf: BOB, member: CAROL, contacts: [`${CAROL};transport=tls`] } });
  await s.call('c-1', { type: 'AnswerCall', data: { contact: `${BOB};transport=tls` } });
  s.at('2024-05-01T09:01:05.000Z');
  await s.call('c-1', { type: 'EndCall', data: { cause: 'completed', sipStatus: 200 } });
  await s.call('c-2', { type: 'EndCall', data: { cause: 'cancelled', sipStatus: 487 } });

  s.at('2024-05-01T09:02:00.000Z');
  await s.call('c-3', { type: 'InitiateCall', data: { sipCallId: 'c-3', caller: CAROL, dialledString: 'bob' } });
  await s.call('c-3', { type: 'RouteCall', data: { route: userRoute(BOB) } });
  s.later(20);
  await s.call('c-3', { type: 'ForwardCall', data: { reason: 'no_answer', from: BOB, to: DAVE } });
  await s.call('c-3', { type: 'RouteCall', data: { route: userRoute(DAVE) } });
  s.later(4);
  await s.call('c-3', { type: 'AnswerCall', data: { contact: `${DAVE};transport=tls` } });
  s.later(30);
  await s.call('c-3', { type: 'TransferCall', data: { by: DAVE, to: OUTSIDE } });
  await s.call('c-3', { type: 'RouteCall', data: { route: pstnRoute('+14255550199') } });
  await s.call('c-3', { type: 'AnswerCall', data: { contact: 'sip:+14255550199@gw2.example.test' } });
  s.later(90);
  await s.call('c-3', { type: 'EndCall', data: { cause: 'completed' } });

  await s.call('c-4', { type: 'InitiateCall', data: { sipCallId: 'c-4', caller: BOB, dialledString: 'alice' } });
}

async function conferences(s: DomainScenario): Promise<void> {
  s.at(T0);
  await s.conference('weekly', {
    type: 'ScheduleConference',
    data: {
      conferenceId: 'weekly',
      organizer: ALICE,
      subject: 'Weekly sync',
      startsAt: '2024-05-01T10:00:00.000Z',
      endsAt: '2024-05-01T11:00:00.000Z',
      access: 'lobby',
    },
  });
  await s.conference('cancelled', {
    type: 'ScheduleConference',
    data: { conferenceId: 'cancelled', organizer: BOB, startsAt: '2024-05-01T10:00:00.000Z', endsAt: '2024-05-01T11:00:00.000Z' },
  });
  s.at('2024-05-01T10:00:00.000Z');
  await s.conference('weekly', { type: 'JoinConference', data: { participant: ALICE, role: 'presenter', modality: 'audio' } });
  await s.conference('weekly', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'im' } });
  await s.conference('weekly', { type: 'AdmitParticipant', data: { participant: BOB, by: ALICE } });
  await s.conference('weekly', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } });
  // Carol waits in the lobby and gives up: she was never in the conference.
  await s.conference('weekly', { type: 'JoinConference', data: { participant: CAROL, role: 'attendee', modality: 'video' } });
  await s.conference('weekly', { type: 'LeaveConference', data: { participant: CAROL } });
  // Bob leaves and comes back through the lobby again: still one participant.
  await s.conference('weekly', { type: 'LeaveConference', data: { participant: BOB } });
  await s.conference('weekly', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'sharing' } });
  await s.conference('weekly', { type: 'AdmitParticipant', data: { participant: BOB, by: ALICE } });
  s.at('2024-05-01T10:45:00.000Z');
  await s.conference('weekly', { type: 'EndConference', data: { by: ALICE } });
  s.at('2024-05-01T10:50:00.000Z');
  await s.conference('cancelled', { type: 'EndConference', data: {} });
}

async function imSessions(s: DomainScenario): Promise<void> {
  s.at('2024-05-01T12:00:00.000Z');
  await s.im('s-1', {
    type: 'StartImSession',
    data: {
      sessionId: 's-1',
      initiator: ALICE,
      invitees: [BOB, CAROL],
      message: { sender: ALICE, contentType: 'text/plain', body: 'hello both', archive: false },
    },
  });
  const sent = await s.im('s-1', { type: 'SendImMessage', data: { sender: BOB, contentType: 'text/plain', body: 'hi', archive: true } });
  const first = (await s.store.readStream('im-s-1')).find((e) => e.type === 'im.message_sent.v1');
  assert.ok(first?.type === 'im.message_sent.v1' && sent[0]?.type === 'im.message_sent.v1');
  await s.im('s-1', { type: 'MarkImDelivered', data: { messageId: first.data.messageId, recipient: BOB, sipStatus: 200 } });
  await s.im('s-1', { type: 'MarkImFailed', data: { messageId: first.data.messageId, recipient: CAROL, sipStatus: 480, reason: 'offline' } });
  s.later(60);
  await s.im('s-1', { type: 'EndImSession', data: { endedBy: ALICE, reason: 'bye' } });
  // A 200 crossing the BYE still counts.
  await s.im('s-1', { type: 'MarkImDelivered', data: { messageId: sent[0].data.messageId, recipient: ALICE, sipStatus: 200 } });

  await s.im('s-open', { type: 'StartImSession', data: { sessionId: 's-open', initiator: BOB, invitees: [CAROL] } });
}

forEachReadModelBackend<DomainEvent>('CDR read model', {}, (suite) => {
  const run = (s: DomainScenario) => runToHead(suite, s, cdrProjection);

  it('given calls, writes one complete record per finished call: route, forwards, transfers, answer, end, duration', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await calls(s);
    await run(s);

    const page = await cdrPage(client, { kind: 'call', limit: 10 });
    assert.deepEqual(page.items.map((c) => c.id), ['c-1', 'c-2', 'c-3'], 'by (ended_at, id); the unfinished c-4 is absent');
    assert.equal(page.next, null);
    const [c1, c2, c3] = page.items;
    assert.deepEqual(c1, {
      kind: 'call',
      id: 'c-1',
      caller: 'tel:+15550001111',
      dialledString: '+14255550102',
      normalizedNumber: null,
      inboundGateway: 'gw-in',
      routeKind: 'user',
      routeTarget: BOB,
      pstnRoute: null,
      gateway: null,
      voicePolicy: null,
      pstnUsage: null,
      forwards: [],
      transfers: [],
      legs: [{ reason: 'delegate', onBehalfOf: BOB, member: CAROL, contacts: [`${CAROL};transport=tls`], at: '2024-05-01T09:00:05.000Z' }],
      startedAt: '2024-05-01T09:00:05.000Z',
      answeredAt: '2024-05-01T09:00:05.000Z',
      endedAt: '2024-05-01T09:01:05.000Z',
      endCause: 'completed',
      sipStatus: 200,
      durationSeconds: 60,
    });
    assert.deepEqual(
      [c2?.routeKind, c2?.routeTarget, c2?.pstnRoute, c2?.gateway, c2?.voicePolicy, c2?.pstnUsage, c2?.normalizedNumber],
      ['pstn', '+14255550100', 'Local', 'gw2', 'Standard', 'Local', '+14255550100'],
    );
    assert.deepEqual([c2?.answeredAt, c2?.endCause, c2?.sipStatus, c2?.durationSeconds], [null, 'cancelled', 487, 0]);
    assert.deepEqual(c3?.forwards, [{ reason: 'no_answer', from: BOB, to: DAVE, at: '2024-05-01T09:02:20.000Z' }]);
    assert.deepEqual(c3?.transfers, [{ by: DAVE, to: OUTSIDE, at: '2024-05-01T09:02:54.000Z' }]);
    assert.deepEqual([c3?.routeKind, c3?.routeTarget], ['pstn', '+14255550199'], 'the last route');
    assert.equal(c3?.answeredAt, '2024-05-01T09:02:24.000Z', 'the first answer');
    assert.equal(c3?.durationSeconds, 120);
  });

  it('pages by (ended_at, id) keyset: ties broken by id, a full last page then an empty one', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await calls(s);
    await run(s);

    const first = await cdrPage(client, { kind: 'call', limit: 2 });
    assert.deepEqual(first.items.map((c) => c.id), ['c-1', 'c-2']);
    assert.deepEqual(first.next, { endedAt: '2024-05-01T09:01:05.000Z', id: 'c-2' });
    const second = await cdrPage(client, { kind: 'call', after: first.next!, limit: 2 });
    assert.deepEqual(second.items.map((c) => c.id), ['c-3']);
    assert.equal(second.next, null);

    const exact = await cdrPage(client, { kind: 'call', limit: 3 });
    assert.ok(exact.next);
    const beyond = await cdrPage(client, { kind: 'call', after: exact.next, limit: 3 });
    assert.deepEqual(beyond, { kind: 'call', items: [], next: null });

    const middle = await cdrPage(client, { kind: 'call', after: { endedAt: '2024-05-01T09:01:05.000Z', id: 'c-1' }, limit: 5 });
    assert.deepEqual(middle.items.map((c) => c.id), ['c-2', 'c-3']);

    await assert.rejects(cdrPage(client, { kind: 'call', limit: 0 }), ZodError);
    await assert.rejects(cdrPage(client, { kind: 'call', limit: 1001 }), ZodError);
    await assert.rejects(cdrPage(client, { kind: 'call', after: { endedAt: 'yesterday', id: 'c-1' }, limit: 5 }), ZodError);
  });

  it('given conferences, counts distinct participants (not lobby-only visitors) and the modalities used', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await conferences(s);
    await run(s);

    const page = await cdrPage(client, { kind: 'conference', limit: 10 });
    assert.deepEqual(page.items, [
      {
        kind: 'conference',
        id: 'weekly',
        organizer: ALICE,
        subject: 'Weekly sync',
        startsAt: '2024-05-01T10:00:00.000Z',
        endsAt: '2024-05-01T11:00:00.000Z',
        scheduledAt: T0,
        activatedAt: '2024-05-01T10:00:00.000Z',
        endedAt: '2024-05-01T10:45:00.000Z',
        endedBy: ALICE,
        participants: [ALICE, BOB],
        participantCount: 2,
        modalities: ['audio', 'im', 'sharing'],
      },
      {
        kind: 'conference',
        id: 'cancelled',
        organizer: BOB,
        subject: '',
        startsAt: '2024-05-01T10:00:00.000Z',
        endsAt: '2024-05-01T11:00:00.000Z',
        scheduledAt: T0,
        activatedAt: null,
        endedAt: '2024-05-01T10:50:00.000Z',
        endedBy: null,
        participants: [],
        participantCount: 0,
        modalities: [],
      },
    ]);
  });

  it('given IM sessions, counts messages sent, delivered and failed per recipient, late receipts included', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await imSessions(s);
    await run(s);

    const page = await cdrPage(client, { kind: 'im', limit: 10 });
    assert.deepEqual(page.items, [
      {
        kind: 'im',
        id: 's-1',
        initiator: ALICE,
        participants: [ALICE, BOB, CAROL],
        participantCount: 3,
        messagesSent: 2,
        messagesDelivered: 2,
        messagesFailed: 1,
        startedAt: '2024-05-01T12:00:00.000Z',
        endedAt: '2024-05-01T12:01:00.000Z',
        endedBy: ALICE,
        endReason: 'bye',
      },
    ]);
  });

  it('rebuilds twice to byte-equal tables', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await calls(s);
    await conferences(s);
    await imSessions(s);
    const runner = await run(s);
    const dump = await assertRebuildsAreByteEqual(runner, client, CDR_TABLES);
    assert.match(dump, /"c-4"/, 'the open call is in the table, only not paged');
    assert.match(dump, /"s-open"/);
  });
});
