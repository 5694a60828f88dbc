import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CallRoute } from '../../../src/events/domain/call-events.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import {
  CALL_ANALYTICS_TABLES,
  callAnalyticsProjection,
  callDurations,
  callsPerHour,
  CONFERENCE_ANALYTICS_TABLES,
  conferenceAnalyticsProjection,
  conferenceAttendance,
  IM_ANALYTICS_TABLES,
  imAnalyticsProjection,
  imVolume,
  PRESENCE_ANALYTICS_TABLES,
  presenceAnalyticsProjection,
  presenceTimeInState,
} from '../../../src/projections/analytics/index.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import {
  ALICE,
  appendAll,
  BOB,
  callAnswered,
  callEnded,
  callInitiated,
  endpointExpired,
  published,
  registered,
  routedToUser,
  t,
} from '../../unit/projections/presence/domain-event-fixtures.ts';
import { assertRebuildsAreByteEqual, DomainScenario, runToHead, WAIT_MS } from './domain-read-model-harness.ts';

const CAROL = 'sip:carol@example.test';
const userRoute = (target: string): CallRoute => ({ kind: 'user', target, contacts: [`${target};transport=tls`] });

/**
 * Alice: registered at T0 (09:00) until 10:00, publishes Available, is in a
 * call with Bob 09:20:10–09:30:10, and her binding lapses at 10:00 (the sweep
 * records it at 10:01:40). Bob: registered until 01:40 the next day.
 */
const PRESENCE_DAY: DomainEvent[] = [
  registered(ALICE, 'a1', { at: t(0), expiresAt: t(3600) }),
  registered(BOB, 'b1', { at: t(0), expiresAt: t(60_000) }),
  published(ALICE, 'a1', 'available', { at: t(600), expiresAt: t(7200) }),
  callInitiated('c1', ALICE, t(1200)),
  routedToUser('c1', BOB, t(1200)),
  callAnswered('c1', t(1210)),
  callEnded('c1', t(1810)),
  endpointExpired(ALICE, 'a1', t(3600), t(3700)),
];

forEachReadModelBackend<DomainEvent>('presence analytics (time in state)', { openStore: openDomainEventStore }, (suite) => {
  it('dates each state change at its event or at the instant an input lapsed, split at UTC midnight; rebuilds are byte-equal', async () => {
    const { client, store } = suite;
    // One event per batch live: a rebuild in one batch must give the same rows.
    const runner = suite.runner(presenceAnalyticsProjection, { batchSize: 1 });
    await runner.start();
    await runner.waitForPosition(await appendAll(store, PRESENCE_DAY), WAIT_MS);

    const report = await presenceTimeInState(client, { from: '2026-01-05T00:00:00Z', to: '2026-01-08T00:00:00Z', asOf: '2026-01-07T09:00:00.000Z' });
    const row = (sipUri: string, day: string, availability: string) =>
      report.find((r) => r.sipUri === sipUri && r.day === day && r.availability === availability)?.seconds;
    // Alice: available 09:00–09:20:10 and 09:30:10–10:00:00.001, busy in the call, offline from the lapse (not the sweep) on.
    assert.equal(row(ALICE, '2026-01-05', 'available'), 1210 + 1790);
    assert.equal(row(ALICE, '2026-01-05', 'busy'), 600);
    assert.equal(row(ALICE, '2026-01-05', 'offline'), 14 * 3600 - 1);
    assert.equal(row(ALICE, '2026-01-06', 'offline'), 86_400);
    // Bob: no event after his binding lapses at 01:40:00.001 on the 6th; the report finds the lapse in his stored inputs.
    assert.equal(row(BOB, '2026-01-05', 'available'), 54_000 - 600);
    assert.equal(row(BOB, '2026-01-05', 'busy'), 600);
    assert.equal(row(BOB, '2026-01-06', 'available'), 6000);
    assert.equal(row(BOB, '2026-01-06', 'offline'), 86_400 - 6000 - 1);
    assert.equal(row(BOB, '2026-01-07', 'offline'), 9 * 3600);
    const bobOnly = await presenceTimeInState(client, { sipUri: BOB, from: '2026-01-05T00:00:00Z', to: '2026-01-06T00:00:00Z', asOf: '2026-01-07T09:00:00.000Z' });
    assert.deepEqual(bobOnly.map((r) => `${r.day} ${r.availability} ${r.seconds}`), ['2026-01-05 available 53400', '2026-01-05 busy 600']);

    await assertRebuildsAreByteEqual(runner, client, PRESENCE_ANALYTICS_TABLES);
  });
});

forEachReadModelBackend<DomainEvent>('call, IM and conference analytics', {}, (suite) => {
  it('counts calls per start hour with their answer-seizure ratio and duration percentiles', async () => {
    const s = new DomainScenario();
    // 09:xx: three attempts, two answered (60 s and 120 s); 10:xx: one answered (30 s), still one ringing.
    const call = async (id: string, at: string, answerAfter: number | null, talk: number) => {
      s.at(at);
      await s.call(id, { type: 'InitiateCall', data: { sipCallId: id, caller: ALICE, dialledString: 'bob' } });
      await s.call(id, { type: 'RouteCall', data: { route: userRoute(BOB) } });
      if (answerAfter === null) {
        s.later(20);
        await s.call(id, { type: 'EndCall', data: { cause: 'cancelled', sipStatus: 487 } });
        return;
      }
      s.later(answerAfter);
      await s.call(id, { type: 'AnswerCall', data: { contact: `${BOB};transport=tls` } });
      s.later(talk);
      await s.call(id, { type: 'EndCall', data: { cause: 'completed' } });
    };
    await call('k1', '2024-05-01T09:05:00.000Z', 5, 60);
    await call('k2', '2024-05-01T09:40:00.000Z', null, 0);
    await call('k3', '2024-05-01T09:59:50.000Z', 5, 120);
    await call('k4', '2024-05-01T10:10:00.000Z', 2, 30);
    s.at('2024-05-01T10:20:00.000Z');
    await s.call('k5', { type: 'InitiateCall', data: { sipCallId: 'k5', caller: BOB, dialledString: 'alice' } });
    const runner = await runToHead(suite, s, callAnalyticsProjection);

    const hours = await callsPerHour(suite.client, { from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' });
    assert.deepEqual(hours, [
      { hour: '2024-05-01T09:00:00.000Z', attempts: 3, answered: 2, answerSeizureRatio: 2 / 3, completed: 2, talkSeconds: 180 },
      { hour: '2024-05-01T10:00:00.000Z', attempts: 2, answered: 1, answerSeizureRatio: 0.5, completed: 1, talkSeconds: 30 },
    ]);
    const durations = await callDurations(suite.client, { from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' });
    assert.deepEqual(
      { ...durations },
      { calls: 3, attempts: 5, answered: 3, p50: 60, p90: 120, p99: 120, max: 120, mean: 70, answerSeizureRatio: 0.6 },
    );
    const empty = await callDurations(suite.client, { from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' });
    assert.deepEqual([empty.calls, empty.p50, empty.answerSeizureRatio], [0, null, null]);
    await assertRebuildsAreByteEqual(runner, suite.client, CALL_ANALYTICS_TABLES);
  });

  it('counts IM sessions, messages sent and messages delivered per user per day', async () => {
    const s = new DomainScenario();
    s.at('2024-05-01T12:00:00.000Z');
    await s.im('s-1', {
      type: 'StartImSession',
      data: { sessionId: 's-1', initiator: ALICE, invitees: [BOB, CAROL], message: { sender: ALICE, contentType: 'text/plain', body: 'hi', archive: false } },
    });
    const first = (await s.store.readStream('im-s-1')).find((e) => e.type === 'im.message_sent.v1');
    assert.ok(first?.type === 'im.message_sent.v1');
    await s.im('s-1', { type: 'MarkImDelivered', data: { messageId: first.data.messageId, recipient: BOB, sipStatus: 200 } });
    await s.im('s-1', { type: 'MarkImFailed', data: { messageId: first.data.messageId, recipient: CAROL, sipStatus: 480, reason: 'offline' } });
    s.at('2024-05-02T08:00:00.000Z');
    await s.im('s-1', { type: 'SendImMessage', data: { sender: BOB, contentType: 'text/plain', body: 'morning', archive: true } });
    const runner = await runToHead(suite, s, imAnalyticsProjection);

    const volume = await imVolume(suite.client, { from: '2024-05-01T00:00:00Z', to: '2024-05-03T00:00:00Z' });
    assert.deepEqual(volume, [
      { day: '2024-05-01', sipUri: ALICE, sessionsStarted: 1, messagesSent: 1, messagesReceived: 0 },
      { day: '2024-05-01', sipUri: BOB, sessionsStarted: 0, messagesSent: 0, messagesReceived: 1 },
      { day: '2024-05-02', sipUri: BOB, sessionsStarted: 0, messagesSent: 1, messagesReceived: 0 },
    ]);
    assert.deepEqual(
      (await imVolume(suite.client, { sipUri: BOB, from: '2024-05-02T00:00:00Z', to: '2024-05-03T00:00:00Z' })).map((d) => d.messagesSent),
      [1],
    );
    await assertRebuildsAreByteEqual(runner, suite.client, IM_ANALYTICS_TABLES);
  });

  it('measures each participant\'s time in a conference, not counting the lobby, closing stays at the end', async () => {
    const s = new DomainScenario();
    s.at('2024-05-01T09:00:00.000Z');
    await s.conference('weekly', {
      type: 'ScheduleConference',
      data: { conferenceId: 'weekly', organizer: ALICE, subject: 'Weekly', startsAt: '2024-05-01T10:00:00.000Z', endsAt: '2024-05-01T11:00:00.000Z', access: 'lobby' },
    });
    s.at('2024-05-01T10:00:00.000Z');
    await s.conference('weekly', { type: 'JoinConference', data: { participant: ALICE, role: 'presenter', modality: 'audio' } });
    await s.conference('weekly', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'im' } });
    s.later(60);
    await s.conference('weekly', { type: 'AdmitParticipant', data: { participant: BOB, by: ALICE } });
    // A second modality is not a second stay.
    await s.conference('weekly', { type: 'JoinConference', data: { participant: ALICE, role: 'presenter', modality: 'video' } });
    s.later(600);
    await s.conference('weekly', { type: 'LeaveConference', data: { participant: BOB } });
    // Carol waits in the lobby and gives up: she never attended.
    await s.conference('weekly', { type: 'JoinConference', data: { participant: CAROL, role: 'attendee', modality: 'audio' } });
    await s.conference('weekly', { type: 'LeaveConference', data: { participant: CAROL } });
    s.at('2024-05-01T10:45:00.000Z');
    await s.conference('weekly', { type: 'EndConference', data: { by: ALICE } });
    const runner = await runToHead(suite, s, conferenceAnalyticsProjection);

    const [weekly, ...others] = await conferenceAttendance(suite.client, {
      from: '2024-05-01T00:00:00Z',
      to: '2024-05-02T00:00:00Z',
      asOf: '2024-05-03T00:00:00.000Z',
    });
    assert.equal(others.length, 0);
    assert.ok(weekly);
    assert.deepEqual([weekly.conferenceId, weekly.organizer, weekly.attendees, weekly.endedAt], ['weekly', ALICE, 2, '2024-05-01T10:45:00.000Z']);
    assert.deepEqual(
      weekly.participants.map((p) => [p.participant, p.stays, p.attendedSeconds, p.present]),
      [
        [ALICE, 1, 2700, false],
        [BOB, 1, 600, false],
      ],
    );
    assert.equal(weekly.attendedSeconds, 3300);
    await assertRebuildsAreByteEqual(runner, suite.client, CONFERENCE_ANALYTICS_TABLES);
  });
});
