import { describe, it } from 'node:test';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import { imDecider } from '../../../../src/commands/im/im-decider.ts';
import type { ImEvent } from '../../../../src/events/domain/im-events.ts';
import { specFor, T0 } from '../spec.ts';

const { given } = specFor(imDecider);

const SESSION = 'f81d4fae7dec11d0a76500a0c91e6bf6@alice-pc.example.test';
const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const NOW = '2024-05-01T09:01:00.000Z';

const started: ImEvent = {
  type: 'im.session_started.v1',
  data: { sessionId: SESSION, initiator: ALICE, participants: [ALICE, BOB, CAROL], at: T0 },
};
const sent: ImEvent = {
  type: 'im.message_sent.v1',
  data: {
    sessionId: SESSION,
    messageId: 'msg-1',
    sender: ALICE,
    recipients: [BOB, CAROL],
    contentType: 'text/plain',
    body: null,
    archived: false,
    at: T0,
  },
};
const ended: ImEvent = { type: 'im.session_ended.v1', data: { sessionId: SESSION, endedBy: ALICE, reason: 'BYE', at: T0 } };

describe('IM session', () => {
  describe('StartImSession', () => {
    it('starts a session with the initiator and the invitees', () => {
      given([])
        .when({ type: 'StartImSession', data: { sessionId: SESSION, initiator: ALICE, invitees: [BOB, CAROL] } })
        .then([started]);
    });

    it('sends a first message in the same decision (page mode), archived when the policy says so', () => {
      given([])
        .at(NOW)
        .when({
          type: 'StartImSession',
          data: {
            sessionId: SESSION,
            initiator: ALICE,
            invitees: [BOB],
            message: { sender: ALICE, contentType: 'text/plain; charset=UTF-8', body: 'lunch?', archive: true },
          },
        })
        .then([
          { type: 'im.session_started.v1', data: { sessionId: SESSION, initiator: ALICE, participants: [ALICE, BOB], at: NOW } },
          {
            type: 'im.message_sent.v1',
            data: {
              sessionId: SESSION,
              messageId: 'id-1',
              sender: ALICE,
              recipients: [BOB],
              contentType: 'text/plain; charset=UTF-8',
              body: 'lunch?',
              archived: true,
              at: NOW,
            },
          },
        ]);
    });

    it('refuses a session with nobody but the initiator', () => {
      given([])
        .when({ type: 'StartImSession', data: { sessionId: SESSION, initiator: ALICE, invitees: [ALICE] } })
        .thenThrows(DomainError, /^not_a_participant:/);
    });

    it('refuses to start the same session twice', () => {
      given([started])
        .when({ type: 'StartImSession', data: { sessionId: SESSION, initiator: BOB, invitees: [ALICE] } })
        .thenThrows(DomainError, /^session_exists:/);
    });
  });

  describe('SendImMessage', () => {
    it('sends to every other participant and keeps no body when archiving is off', () => {
      given([started])
        .when({ type: 'SendImMessage', data: { sender: ALICE, contentType: 'text/plain', body: 'confidential', archive: false } })
        .then([{ ...sent, data: { ...sent.data, messageId: 'id-1' } } as ImEvent]);
    });

    it('sends to named recipients only', () => {
      given([started])
        .when({ type: 'SendImMessage', data: { sender: BOB, recipients: [CAROL], contentType: 'text/plain', body: 'psst', archive: true } })
        .then([
          {
            type: 'im.message_sent.v1',
            data: { sessionId: SESSION, messageId: 'id-1', sender: BOB, recipients: [CAROL], contentType: 'text/plain', body: 'psst', archived: true, at: T0 },
          },
        ]);
    });

    it('refuses a sender or recipient outside the session', () => {
      const dave = 'sip:dave@example.test';
      given([started])
        .when({ type: 'SendImMessage', data: { sender: dave, contentType: 'text/plain', body: 'hi', archive: false } })
        .thenThrows(DomainError, /^not_a_participant:/);
      given([started])
        .when({ type: 'SendImMessage', data: { sender: ALICE, recipients: [dave], contentType: 'text/plain', body: 'hi', archive: false } })
        .thenThrows(DomainError, /^not_a_participant:/);
    });

    it('refuses messages in a session that does not exist or has ended', () => {
      const command = { type: 'SendImMessage', data: { sender: ALICE, contentType: 'text/plain', body: 'hi', archive: false } } as const;
      given([]).when(command).thenThrows(DomainError, /^session_not_found:/);
      given([started, ended]).when(command).thenThrows(DomainError, /^session_ended:/);
    });
  });

  describe('delivery outcomes', () => {
    it('records a delivery, even after the session ended', () => {
      given([started, sent, ended])
        .at(NOW)
        .when({ type: 'MarkImDelivered', data: { messageId: 'msg-1', recipient: BOB, sipStatus: 200 } })
        .then([{ type: 'im.message_delivered.v1', data: { sessionId: SESSION, messageId: 'msg-1', recipient: BOB, sipStatus: 200, at: NOW } }]);
    });

    it('records a failure with its status and reason', () => {
      given([started, sent])
        .when({ type: 'MarkImFailed', data: { messageId: 'msg-1', recipient: CAROL, sipStatus: 480, reason: 'Temporarily Unavailable' } })
        .then([
          {
            type: 'im.message_failed.v1',
            data: { sessionId: SESSION, messageId: 'msg-1', recipient: CAROL, sipStatus: 480, reason: 'Temporarily Unavailable', at: T0 },
          },
        ]);
    });

    it('keeps the first outcome per recipient', () => {
      const delivered: ImEvent = {
        type: 'im.message_delivered.v1',
        data: { sessionId: SESSION, messageId: 'msg-1', recipient: BOB, sipStatus: 200, at: T0 },
      };
      given([started, sent, delivered])
        .when({ type: 'MarkImFailed', data: { messageId: 'msg-1', recipient: BOB, reason: 'timeout' } })
        .then([]);
    });

    it('refuses outcomes for unknown messages or non-recipients', () => {
      given([started, sent])
        .when({ type: 'MarkImDelivered', data: { messageId: 'msg-9', recipient: BOB, sipStatus: 200 } })
        .thenThrows(DomainError, /^unknown_message:/);
      given([started, sent])
        .when({ type: 'MarkImDelivered', data: { messageId: 'msg-1', recipient: ALICE, sipStatus: 200 } })
        .thenThrows(DomainError, /^not_a_recipient:/);
    });
  });

  describe('EndImSession', () => {
    it('ends the session', () => {
      given([started]).when({ type: 'EndImSession', data: { endedBy: ALICE, reason: 'BYE' } }).then([ended]);
    });

    it('refuses to end it twice', () => {
      given([started, ended]).when({ type: 'EndImSession', data: { reason: 'BYE' } }).thenThrows(DomainError, /^session_ended:/);
    });
  });
});
