import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ZodError } from 'zod';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { AUDIT_TIMELINE_TABLES, auditTimelineProjection } from '../../../src/projections/audit-timeline/audit-timeline-projection.ts';
import { userTimeline, type TimelineEntry } from '../../../src/projections/audit-timeline/user-timeline.ts';
import { dumpTables } from '../../../src/projections/framework/index.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { assertRebuildsAreByteEqual, DomainScenario, runToHead } from './domain-read-model-harness.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const DAVE = 'sip:dave@example.test';
const T0 = '2024-05-01T09:00:00.000Z';
const HA1 = computeHa1('alice', 'example.test', 'correct horse');
const SECRET_BODY = 'the merger closes friday';
const PIN = '987654';

/** A day in the life of alice and bob, touching every area the timeline audits. */
async function aDay(s: DomainScenario): Promise<void> {
  s.at(T0);
  await s.user(ALICE, { type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice', lineUri: 'tel:+14255550101', enterpriseVoiceEnabled: true } });
  await s.user(ALICE, { type: 'SetCredentials', data: { realm: 'example.test', ...HA1 } });
  await s.user(BOB, { type: 'ProvisionUser', data: { sipUri: BOB, displayName: 'Bob', lineUri: 'tel:+14255550102', enterpriseVoiceEnabled: true } });
  s.later(60);
  const [registered] = await s.user(ALICE, {
    type: 'RegisterEndpoint',
    data: { contact: 'sip:alice@192.0.2.1:5061;transport=tls', transport: 'tls', sourceAddress: '192.0.2.1:5061', expiresSeconds: 3600 },
  });
  assert.ok(registered?.type === 'endpoint.registered.v1');
  await s.user(ALICE, { type: 'PublishPresence', data: { endpointId: registered.data.endpointId, state: { availability: 'busy' }, expiresSeconds: 3600 } });
  await s.user(ALICE, { type: 'SubscribeWatcher', data: { watcherUri: BOB, subscriptionId: 'sub-1', expiresSeconds: 3600 } });
  await s.user(BOB, { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 20, target: DAVE } } });

  s.at('2024-05-01T10:00:00.000Z');
  await s.im('im-1', {
    type: 'StartImSession',
    data: { sessionId: 'im-1', initiator: ALICE, invitees: [BOB], message: { sender: ALICE, contentType: 'text/plain', body: SECRET_BODY, archive: true } },
  });
  await s.im('im-1', { type: 'EndImSession', data: { endedBy: BOB, reason: 'bye' } });

  s.at('2024-05-01T11:00:00.000Z');
  await s.call('call-1', { type: 'InitiateCall', data: { sipCallId: 'call-1', caller: CAROL, dialledString: 'bob' } });
  await s.call('call-1', { type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: ['sip:bob@192.0.2.2'] } } });
  await s.call('call-1', { type: 'ForwardCall', data: { reason: 'no_answer', from: BOB, to: DAVE } });
  await s.call('call-1', { type: 'RouteCall', data: { route: { kind: 'user', target: DAVE, contacts: ['sip:dave@192.0.2.4'] } } });
  await s.call('call-1', { type: 'AnswerCall', data: { contact: 'sip:dave@192.0.2.4' } });
  await s.call('call-1', { type: 'HoldCall', data: { by: DAVE } });
  await s.call('call-1', { type: 'EndCall', data: { cause: 'completed' } });
  // A call in from the PSTN, still ringing: the number is nobody's timeline.
  await s.call('call-2', { type: 'InitiateCall', data: { sipCallId: 'call-2', caller: 'tel:+14255550199', dialledString: '+14255550101' } });
  await s.call('call-2', { type: 'RouteCall', data: { route: { kind: 'user', target: ALICE, contacts: ['sip:alice@192.0.2.1:5061;transport=tls'] } } });

  s.at('2024-05-01T12:00:00.000Z');
  await s.conference('conf-1', {
    type: 'ScheduleConference',
    data: { conferenceId: 'conf-1', organizer: ALICE, subject: 'Plans', startsAt: '2024-05-01T12:00:00.000Z', endsAt: '2024-05-01T13:00:00.000Z', pin: PIN },
  });
  await s.conference('conf-1', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } });
  await s.conference('conf-1', { type: 'MuteParticipant', data: { participant: BOB, by: ALICE } });
  await s.conference('conf-1', { type: 'EndConference', data: { by: ALICE } });
  await s.user(ALICE, { type: 'UnsubscribeWatcher', data: { subscriptionId: 'sub-1' } });
}

function brief(entries: readonly TimelineEntry[]): [string, unknown][] {
  return entries.map((e) => [e.eventType, e.summary['as']]);
}

async function everything(client: SqlClient, sipUri: string): Promise<TimelineEntry[]> {
  return [...(await userTimeline(client, sipUri, { limit: 1000 })).items];
}

forEachReadModelBackend<DomainEvent>('audit timeline read model', {}, (suite) => {
  const run = (s: DomainScenario) => runToHead(suite, s, auditTimelineProjection);

  it("given a day's events, each user's timeline holds every event that concerns them, with their role", async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await aDay(s);
    await run(s);

    assert.deepEqual(brief(await everything(client, ALICE)), [
      ['directory.user_provisioned.v1', ['user']],
      ['directory.credentials_set.v1', ['user']],
      ['endpoint.registered.v1', ['user']],
      ['presence.published.v1', ['user']],
      ['presence.watcher_subscribed.v1', ['presentity']],
      ['im.session_started.v1', ['initiator']],
      ['im.message_sent.v1', ['sender']],
      ['im.session_ended.v1', ['initiator']],
      ['call.routed.v1', ['callee']],
      ['conference.scheduled.v1', ['organizer']],
      ['conference.activated.v1', ['organizer']],
      ['conference.participant_joined.v1', ['organizer']],
      ['conference.participant_muted.v1', ['actor', 'organizer']],
      ['conference.ended.v1', ['actor', 'organizer']],
      ['presence.watcher_unsubscribed.v1', ['presentity']],
    ]);
    assert.deepEqual(brief(await everything(client, BOB)), [
      ['directory.user_provisioned.v1', ['user']],
      ['presence.watcher_subscribed.v1', ['watcher']],
      ['voice.forwarding_set.v1', ['user']],
      ['im.session_started.v1', ['participant']],
      ['im.message_sent.v1', ['recipient']],
      ['im.session_ended.v1', ['actor', 'participant']],
      ['call.routed.v1', ['callee']],
      ['call.forwarded.v1', ['forwarded_from', 'callee']],
      ['call.routed.v1', ['callee']],
      ['call.answered.v1', ['callee']],
      ['call.held.v1', ['callee']],
      ['call.ended.v1', ['callee']],
      ['conference.participant_joined.v1', ['participant']],
      ['conference.participant_muted.v1', ['participant']],
      ['presence.watcher_unsubscribed.v1', ['watcher']],
    ]);
    // Carol is not provisioned, yet her calls concern her; Dave enters the call by the forward.
    assert.deepEqual(brief(await everything(client, CAROL)).map(([type]) => type), [
      'call.initiated.v1',
      'call.routed.v1',
      'call.forwarded.v1',
      'call.routed.v1',
      'call.answered.v1',
      'call.held.v1',
      'call.ended.v1',
    ]);
    assert.deepEqual(brief(await everything(client, DAVE)), [
      ['call.forwarded.v1', ['forward_target']],
      ['call.routed.v1', ['callee', 'forward_target']],
      ['call.answered.v1', ['forward_target']],
      ['call.held.v1', ['actor', 'forward_target']],
      ['call.ended.v1', ['forward_target']],
    ]);
    assert.deepEqual(await everything(client, 'tel:+14255550199'), []);

    const entry = (await everything(client, BOB)).find((e) => e.eventType === 'presence.watcher_subscribed.v1');
    assert.deepEqual(entry?.summary, {
      presentity: ALICE,
      watcher: BOB,
      subscriptionId: 'sub-1',
      expiresAt: '2024-05-01T10:01:00.000Z',
      as: ['watcher'],
    });
    assert.equal(entry?.streamId, 'user-alice@example.test');
    assert.equal(entry?.occurredAt, '2024-05-01T09:01:00.000Z');
    // Only the ringing call-2 is not over: the parties of everything that ended are forgotten.
    const { rows } = await client.query<{ context_id: string }>('SELECT context_id FROM audit_parties');
    assert.deepEqual(rows.map((r) => r.context_id), ['call-2']);
  });

  it('never stores an IM body, an HA1 or a conference PIN', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await aDay(s);
    await run(s);
    const dump = await dumpTables(client, AUDIT_TIMELINE_TABLES);
    for (const secret of [SECRET_BODY, HA1.ha1Md5, HA1.ha1Sha256, PIN]) assert.ok(!dump.includes(secret), `found ${secret}`);
    const sent = (await everything(client, ALICE)).find((e) => e.eventType === 'im.message_sent.v1');
    assert.deepEqual(
      { ...sent?.summary, messageId: 'x' },
      { sessionId: 'im-1', messageId: 'x', sender: ALICE, recipients: 1, contentType: 'text/plain', archived: true, as: ['sender'] },
    );
    const credentials = (await everything(client, ALICE)).find((e) => e.eventType === 'directory.credentials_set.v1');
    assert.deepEqual(credentials?.summary, { realm: 'example.test', as: ['user'] });
  });

  it('pages a timeline by position', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await aDay(s);
    await run(s);
    const all = await everything(client, BOB);
    const seen: TimelineEntry[] = [];
    let after: bigint | undefined;
    for (let pages = 1; ; pages++) {
      const page = await userTimeline(client, BOB, { limit: 4, ...(after === undefined ? {} : { after }) });
      seen.push(...page.items);
      if (page.next === null) {
        assert.equal(pages, 4, '15 rows in pages of 4');
        break;
      }
      assert.equal(page.next, page.items.at(-1)?.position);
      after = page.next;
    }
    assert.deepEqual(seen, all);
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.position > all[i - 1]!.position);
    assert.equal(typeof all[0]?.position, 'bigint');
    await assert.rejects(userTimeline(client, BOB, { limit: 0 }), ZodError);
    await assert.rejects(userTimeline(client, BOB, { after: -1n, limit: 5 }), ZodError);
  });

  it('rebuilds twice to byte-equal tables', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await aDay(s);
    const runner = await run(s);
    const dump = await assertRebuildsAreByteEqual(runner, client, AUDIT_TIMELINE_TABLES);
    assert.match(dump, /presence\.watcher_subscribed\.v1/);
  });
});
