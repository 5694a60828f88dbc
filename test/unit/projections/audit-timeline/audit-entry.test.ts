import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue } from '../../../../src/events/domain/domain-catalogue.ts';
import { voiceConfigEvents } from '../../../../src/events/domain/voice-config-events.ts';
import { auditEntry, concernedUsers, type AuditedEvent } from '../../../../src/projections/audit-timeline/audit-entry.ts';
import { auditTimelineProjection } from '../../../../src/projections/audit-timeline/audit-timeline-projection.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const AT = '2024-05-01T09:00:00.000Z';

/** The event, checked against the catalogue the store validates with. */
function valid<E extends AuditedEvent>(event: E): E {
  domainCatalogue.encode(event.type, event.data);
  return event;
}

describe('auditEntry', () => {
  it('audits every domain event type except voice configuration', () => {
    const expected = domainCatalogue.types.filter((t) => !(t in voiceConfigEvents)).sort();
    assert.deepEqual([...(auditTimelineProjection.canHandle ?? [])].sort(), expected);
    assert.ok(expected.includes('voice.forwarding_set.v1'));
  });

  it('summarises a sent message without its body, even when archived, and names sender and recipients', () => {
    const entry = auditEntry(
      valid({
        type: 'im.message_sent.v1',
        data: {
          sessionId: 's-1',
          messageId: 'm-1',
          sender: ALICE,
          recipients: [BOB],
          contentType: 'text/plain',
          body: 'top secret',
          archived: true,
          at: AT,
        },
      }),
    );
    assert.deepEqual(entry.summary, { sessionId: 's-1', messageId: 'm-1', sender: ALICE, recipients: 1, contentType: 'text/plain', archived: true });
    assert.deepEqual(entry.parties, [
      [ALICE, 'sender'],
      [BOB, 'recipient'],
    ]);
    assert.equal(entry.context, null);
  });

  it('keeps HA1 digests and conference PINs out of summaries', () => {
    const credentials = auditEntry(
      valid({
        type: 'directory.credentials_set.v1',
        data: { sipUri: ALICE, realm: 'example.test', ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64), at: AT },
      }),
    );
    assert.deepEqual(credentials.summary, { realm: 'example.test' });
    const scheduled = auditEntry(
      valid({
        type: 'conference.scheduled.v1',
        data: { conferenceId: 'c-1', organizer: ALICE, subject: 'S', startsAt: AT, endsAt: '2024-05-01T10:00:00.000Z', access: 'open', pin: '1234', at: AT },
      }),
    );
    assert.ok(!JSON.stringify(scheduled.summary).includes('1234'));
    assert.deepEqual(scheduled.context?.remember, [[ALICE, 'organizer']]);
  });

  it('gives a watcher subscription to both the watched user and the watcher', () => {
    const entry = auditEntry(
      valid({
        type: 'presence.watcher_subscribed.v1',
        data: { sipUri: ALICE, watcherUri: BOB, subscriptionId: 'sub', expiresAt: AT, at: AT },
      }),
    );
    assert.deepEqual(
      [...concernedUsers(entry, [])],
      [
        [ALICE, ['presentity']],
        [BOB, ['watcher']],
      ],
    );
  });

  it('leaves tel: parties out of rows and of the remembered call parties', () => {
    const entry = auditEntry(
      valid({
        type: 'call.forwarded.v1',
        data: { sipCallId: 'c-1', reason: 'busy', from: BOB, to: 'tel:+14255550100', at: AT },
      }),
    );
    assert.deepEqual(entry.parties, [[BOB, 'forwarded_from']]);
    assert.deepEqual(entry.context?.remember, [[BOB, 'forwarded_from']]);
    assert.equal(entry.context?.includeParties, true);
  });

  it('merges the roles an event names with the remembered ones, without repeats', () => {
    const held = auditEntry(valid({ type: 'call.held.v1', data: { sipCallId: 'c-1', by: ALICE, at: AT } }));
    const users = concernedUsers(held, [
      [ALICE, 'caller'],
      [BOB, 'callee'],
    ]);
    assert.deepEqual([...users], [
      [ALICE, ['actor', 'caller']],
      [BOB, ['callee']],
    ]);
    const left = auditEntry(
      valid({ type: 'conference.participant_left.v1', data: { conferenceId: 'c', participant: BOB, reason: 'left', by: BOB, at: AT } }),
    );
    assert.deepEqual([...concernedUsers(left, [[ALICE, 'organizer']])], [
      [BOB, ['participant', 'actor']],
      [ALICE, ['organizer']],
    ]);
  });

  it('ignores remembered parties for events that do not reach the whole context', () => {
    const delivered = auditEntry(
      valid({ type: 'im.message_delivered.v1', data: { sessionId: 's', messageId: 'm', recipient: BOB, sipStatus: 200, at: AT } }),
    );
    assert.deepEqual([...concernedUsers(delivered, [[ALICE, 'initiator']])], [[BOB, ['recipient']]]);
    const ended = auditEntry(valid({ type: 'im.session_ended.v1', data: { sessionId: 's', endedBy: null, reason: 'timeout', at: AT } }));
    assert.equal(ended.context?.closes, true);
    assert.deepEqual([...concernedUsers(ended, [[ALICE, 'initiator']])], [[ALICE, ['initiator']]]);
  });
});
