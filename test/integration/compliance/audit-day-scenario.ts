import assert from 'node:assert/strict';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../src/events/envelope.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { DomainScenario } from '../projections/domain-read-model-harness.ts';

export const ALICE = 'sip:alice@example.test';
export const BOB = 'sip:bob@example.test';
export const CAROL = 'sip:carol@example.test';
export const DAVE = 'sip:dave@example.test';
/** Markup in an archived IM body and a presence note: the HTML report must show it as text. */
export const HOSTILE_BODY = '<script>alert("pwned")</script> & <b>bold</b>';
export const HOSTILE_NOTE = 'out <img src=x onerror=alert(1)> "back" soon';

/**
 * A day touching every workload, through the real deciders: provisioning,
 * a registration with a presence publication, watchers, an archived IM
 * session, a forwarded call, a call from the PSTN (its first event concerns
 * no user), a conference. Hours apart, so windows can
 * cut it: 09:00 setup, 10:00 IM, 11:00 calls, 12:00 conference, 13:00 end.
 */
export async function auditDay(): Promise<DomainScenario> {
  const s = new DomainScenario();
  s.at('2024-05-01T09:00:00.000Z');
  await s.user(ALICE, { type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice <Admin>', lineUri: 'tel:+14255550101', enterpriseVoiceEnabled: true } });
  await s.user(BOB, { type: 'ProvisionUser', data: { sipUri: BOB, displayName: 'Bob', lineUri: 'tel:+14255550102', enterpriseVoiceEnabled: true } });
  s.later(60);
  const [registered] = await s.user(ALICE, {
    type: 'RegisterEndpoint',
    data: { contact: 'sip:alice@192.0.2.1:5061;transport=tls', transport: 'tls', sourceAddress: '192.0.2.1:5061', expiresSeconds: 3600 },
  });
  assert.ok(registered?.type === 'endpoint.registered.v1');
  await s.user(ALICE, {
    type: 'PublishPresence',
    data: { endpointId: registered.data.endpointId, state: { availability: 'busy', note: HOSTILE_NOTE }, expiresSeconds: 3600 },
  });
  await s.user(ALICE, { type: 'SubscribeWatcher', data: { watcherUri: BOB, subscriptionId: 'sub-1', expiresSeconds: 3600 } });
  await s.user(BOB, { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 20, target: DAVE } } });

  s.at('2024-05-01T10:00:00.000Z');
  await s.im('im-1', {
    type: 'StartImSession',
    data: { sessionId: 'im-1', initiator: ALICE, invitees: [BOB], message: { sender: ALICE, contentType: 'text/plain', body: HOSTILE_BODY, archive: true } },
  });
  await s.im('im-1', { type: 'EndImSession', data: { endedBy: BOB, reason: 'bye' } });

  s.at('2024-05-01T11:00:00.000Z');
  await s.call('call-1', { type: 'InitiateCall', data: { sipCallId: 'call-1', caller: CAROL, dialledString: 'bob' } });
  await s.call('call-1', { type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: ['sip:bob@192.0.2.2'] } } });
  await s.call('call-1', { type: 'ForwardCall', data: { reason: 'no_answer', from: BOB, to: DAVE } });
  await s.call('call-1', { type: 'RouteCall', data: { route: { kind: 'user', target: DAVE, contacts: ['sip:dave@192.0.2.4'] } } });
  await s.call('call-1', { type: 'AnswerCall', data: { contact: 'sip:dave@192.0.2.4' } });
  await s.call('call-1', { type: 'EndCall', data: { cause: 'completed' } });
  await s.call('call-2', { type: 'InitiateCall', data: { sipCallId: 'call-2', caller: 'tel:+14255550199', dialledString: '+14255550101' } });
  await s.call('call-2', { type: 'RouteCall', data: { route: { kind: 'user', target: ALICE, contacts: ['sip:alice@192.0.2.1:5061;transport=tls'] } } });

  s.at('2024-05-01T12:00:00.000Z');
  await s.conference('conf-1', {
    type: 'ScheduleConference',
    data: { conferenceId: 'conf-1', organizer: ALICE, subject: 'Plans', startsAt: '2024-05-01T12:00:00.000Z', endsAt: '2024-05-01T13:00:00.000Z', pin: '987654' },
  });
  await s.conference('conf-1', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } });
  await s.conference('conf-1', { type: 'EndConference', data: { by: ALICE } });

  s.at('2024-05-01T13:00:00.000Z');
  await s.user(ALICE, { type: 'UnsubscribeWatcher', data: { subscriptionId: 'sub-1' } });
  return s;
}

/** Appends every event of `from` to `to` as it was written (ids, metadata), in global order: the same log in another store. */
export async function copyLog(from: EventStore<DomainEvent>, to: EventStore<DomainEvent>): Promise<void> {
  for (const e of await from.readAll({ limit: 10_000 })) {
    const { occurredAt, correlationId, causationId, actor, node } = e.metadata;
    const event = { id: e.id, type: e.type, data: e.data, metadata: { occurredAt, correlationId, causationId, actor, node } } as NewEvent<DomainEvent>;
    await to.append(e.streamId, [event], { expectedVersion: e.streamVersion === 0 ? 'no_stream' : e.streamVersion - 1 });
  }
}
