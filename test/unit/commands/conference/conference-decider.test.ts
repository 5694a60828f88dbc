import { describe, it } from 'node:test';
import { conferenceDecider } from '../../../../src/commands/conference/conference-decider.ts';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import type { ConferenceAccess, ConferenceEvent } from '../../../../src/events/domain/conference-events.ts';
import { specFor, T0 } from '../spec.ts';

const { given } = specFor(conferenceDecider);

const ID = 'weekly-sync-2024-05-01';
const ORGANIZER = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';

function scheduled(access: ConferenceAccess = 'open'): ConferenceEvent {
  return {
    type: 'conference.scheduled.v1',
    data: {
      conferenceId: ID,
      organizer: ORGANIZER,
      subject: 'Weekly sync',
      startsAt: '2024-05-01T10:00:00.000Z',
      endsAt: '2024-05-01T11:00:00.000Z',
      access,
      pin: '4321',
      at: T0,
    },
  };
}
const activated: ConferenceEvent = { type: 'conference.activated.v1', data: { conferenceId: ID, at: T0 } };
function joined(participant: string, role: 'presenter' | 'attendee' = 'attendee', modality: 'im' | 'audio' = 'audio'): ConferenceEvent {
  return { type: 'conference.participant_joined.v1', data: { conferenceId: ID, participant, role, modality, at: T0 } };
}
function lobbied(participant: string): ConferenceEvent {
  return { type: 'conference.participant_lobbied.v1', data: { conferenceId: ID, participant, role: 'attendee', modality: 'audio', at: T0 } };
}
const endedEvent: ConferenceEvent = { type: 'conference.ended.v1', data: { conferenceId: ID, by: ORGANIZER, at: T0 } };

describe('conference', () => {
  describe('ScheduleConference', () => {
    it('schedules with the given access and PIN, times in UTC', () => {
      given([])
        .when({
          type: 'ScheduleConference',
          data: {
            conferenceId: ID,
            organizer: ORGANIZER,
            subject: 'Weekly sync',
            startsAt: '2024-05-01T12:00:00+02:00',
            endsAt: '2024-05-01T11:00:00Z',
            pin: '4321',
          },
        })
        .then([scheduled('open')]);
    });

    it('refuses a schedule that ends before it starts, or has already ended', () => {
      given([])
        .when({ type: 'ScheduleConference', data: { conferenceId: ID, organizer: ORGANIZER, startsAt: '2024-05-01T11:00:00Z', endsAt: '2024-05-01T10:00:00Z' } })
        .thenThrows(DomainError, /^invalid_schedule:/);
      given([])
        .when({ type: 'ScheduleConference', data: { conferenceId: ID, organizer: ORGANIZER, startsAt: '2024-04-01T10:00:00Z', endsAt: '2024-04-01T11:00:00Z' } })
        .thenThrows(DomainError, /^invalid_schedule:/);
    });

    it('refuses an id that is taken', () => {
      given([scheduled()])
        .when({ type: 'ScheduleConference', data: { conferenceId: ID, organizer: BOB, startsAt: '2024-05-01T10:00:00Z', endsAt: '2024-05-01T11:00:00Z' } })
        .thenThrows(DomainError, /^conference_exists:/);
    });
  });

  describe('ActivateConference', () => {
    it('activates a scheduled conference once', () => {
      given([scheduled()]).when({ type: 'ActivateConference', data: {} }).then([activated]);
      given([scheduled(), activated]).when({ type: 'ActivateConference', data: {} }).then([]);
    });
  });

  describe('JoinConference', () => {
    it('activates a scheduled conference on the first join; the organizer is always a presenter', () => {
      given([scheduled()])
        .when({ type: 'JoinConference', data: { participant: ORGANIZER, role: 'attendee', modality: 'audio' } })
        .then([activated, joined(ORGANIZER, 'presenter')]);
    });

    it('joins an open conference', () => {
      given([scheduled(), activated]).when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } }).then([joined(BOB)]);
    });

    it('adds a modality to a participant already in, and ignores a repeated one', () => {
      given([scheduled(), activated, joined(BOB)])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'im' } })
        .then([joined(BOB, 'attendee', 'im')]);
      given([scheduled(), activated, joined(BOB)])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .then([]);
    });

    it('refuses anyone but the organizer when locked', () => {
      given([scheduled('locked'), activated])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .thenThrows(DomainError, /^conference_locked:/);
      given([scheduled('locked'), activated])
        .when({ type: 'JoinConference', data: { participant: ORGANIZER, role: 'presenter', modality: 'audio' } })
        .then([joined(ORGANIZER, 'presenter')]);
    });

    it('keeps a participant who joined before the lock in the conference for new modalities', () => {
      const locked: ConferenceEvent = { type: 'conference.locked.v1', data: { conferenceId: ID, by: ORGANIZER, at: T0 } };
      given([scheduled(), activated, joined(BOB), locked])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'im' } })
        .then([joined(BOB, 'attendee', 'im')]);
    });

    it('sends others to the lobby when access is lobby; the organizer and a correct PIN go straight in', () => {
      given([scheduled('lobby'), activated])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .then([lobbied(BOB)]);
      given([scheduled('lobby'), activated])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio', pin: '4321' } })
        .then([joined(BOB)]);
      given([scheduled('lobby'), activated])
        .when({ type: 'JoinConference', data: { participant: ORGANIZER, role: 'presenter', modality: 'audio' } })
        .then([joined(ORGANIZER, 'presenter')]);
    });

    it('refuses a wrong PIN', () => {
      given([scheduled('lobby'), activated])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio', pin: '0000' } })
        .thenThrows(DomainError, /^invalid_pin:/);
    });

    it('refuses joins after the end, and on conferences that do not exist', () => {
      given([scheduled(), activated, joined(ORGANIZER, 'presenter'), endedEvent])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .thenThrows(DomainError, /^conference_ended:/);
      given([])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .thenThrows(DomainError, /^conference_not_found:/);
    });
  });

  describe('lobby', () => {
    it('a presenter admits a waiting participant with the role and modality they asked for', () => {
      given([scheduled('lobby'), activated, joined(ORGANIZER, 'presenter'), lobbied(BOB)])
        .when({ type: 'AdmitParticipant', data: { participant: BOB, by: ORGANIZER } })
        .then([
          {
            type: 'conference.participant_admitted.v1',
            data: { conferenceId: ID, participant: BOB, role: 'attendee', modality: 'audio', admittedBy: ORGANIZER, at: T0 },
          },
        ]);
    });

    it('an admitted participant is in: asking to join again with the same modality changes nothing', () => {
      const admitted: ConferenceEvent = {
        type: 'conference.participant_admitted.v1',
        data: { conferenceId: ID, participant: BOB, role: 'attendee', modality: 'audio', admittedBy: ORGANIZER, at: T0 },
      };
      given([scheduled('lobby'), activated, lobbied(BOB), admitted])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .then([]);
    });

    it('an attendee cannot admit, and nobody can admit someone who is not waiting', () => {
      given([scheduled('lobby'), activated, joined(CAROL), lobbied(BOB)])
        .when({ type: 'AdmitParticipant', data: { participant: BOB, by: CAROL } })
        .thenThrows(DomainError, /^not_a_presenter:/);
      given([scheduled('lobby'), activated, joined(CAROL)])
        .when({ type: 'AdmitParticipant', data: { participant: CAROL, by: ORGANIZER } })
        .thenThrows(DomainError, /^not_in_lobby:/);
    });

    it('asking to join again while waiting changes nothing', () => {
      given([scheduled('lobby'), activated, lobbied(BOB)])
        .when({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } })
        .then([]);
    });
  });

  describe('LeaveConference', () => {
    it('a participant leaves', () => {
      given([scheduled(), activated, joined(BOB)])
        .when({ type: 'LeaveConference', data: { participant: BOB } })
        .then([{ type: 'conference.participant_left.v1', data: { conferenceId: ID, participant: BOB, reason: 'left', by: BOB, at: T0 } }]);
    });

    it('a presenter removes someone (also from the lobby); an attendee cannot', () => {
      given([scheduled('lobby'), activated, lobbied(BOB)])
        .when({ type: 'LeaveConference', data: { participant: BOB, by: ORGANIZER } })
        .then([{ type: 'conference.participant_left.v1', data: { conferenceId: ID, participant: BOB, reason: 'removed', by: ORGANIZER, at: T0 } }]);
      given([scheduled(), activated, joined(BOB), joined(CAROL)])
        .when({ type: 'LeaveConference', data: { participant: BOB, by: CAROL } })
        .thenThrows(DomainError, /^not_a_presenter:/);
    });

    it('refuses someone who is not there', () => {
      given([scheduled(), activated]).when({ type: 'LeaveConference', data: { participant: BOB } }).thenThrows(DomainError, /^not_a_participant:/);
    });
  });

  describe('mute', () => {
    it('a presenter mutes and unmutes an attendee; muting twice changes nothing', () => {
      const muted: ConferenceEvent = { type: 'conference.participant_muted.v1', data: { conferenceId: ID, participant: BOB, by: ORGANIZER, at: T0 } };
      given([scheduled(), activated, joined(BOB)]).when({ type: 'MuteParticipant', data: { participant: BOB, by: ORGANIZER } }).then([muted]);
      given([scheduled(), activated, joined(BOB), muted]).when({ type: 'MuteParticipant', data: { participant: BOB, by: ORGANIZER } }).then([]);
      given([scheduled(), activated, joined(BOB), muted])
        .when({ type: 'UnmuteParticipant', data: { participant: BOB, by: BOB } })
        .then([{ type: 'conference.participant_unmuted.v1', data: { conferenceId: ID, participant: BOB, by: BOB, at: T0 } }]);
    });

    it('an attendee may mute only themselves', () => {
      given([scheduled(), activated, joined(BOB), joined(CAROL)])
        .when({ type: 'MuteParticipant', data: { participant: BOB, by: CAROL } })
        .thenThrows(DomainError, /^not_a_presenter:/);
    });

    it('refuses to mute someone who is not in', () => {
      given([scheduled(), activated]).when({ type: 'MuteParticipant', data: { participant: BOB, by: ORGANIZER } }).thenThrows(DomainError, /^not_a_participant:/);
    });
  });

  describe('lock', () => {
    it('a presenter locks and unlocks (back to the lobby if asked)', () => {
      const locked: ConferenceEvent = { type: 'conference.locked.v1', data: { conferenceId: ID, by: BOB, at: T0 } };
      given([scheduled(), activated, joined(BOB, 'presenter')]).when({ type: 'LockConference', data: { by: BOB } }).then([locked]);
      given([scheduled(), activated, joined(BOB, 'presenter'), locked])
        .when({ type: 'UnlockConference', data: { by: BOB, access: 'lobby' } })
        .then([{ type: 'conference.unlocked.v1', data: { conferenceId: ID, by: BOB, access: 'lobby', at: T0 } }]);
      given([scheduled(), activated]).when({ type: 'UnlockConference', data: { by: ORGANIZER } }).then([]);
    });

    it('an attendee cannot lock', () => {
      given([scheduled(), activated, joined(BOB)]).when({ type: 'LockConference', data: { by: BOB } }).thenThrows(DomainError, /^not_a_presenter:/);
    });
  });

  describe('EndConference', () => {
    it('ends the conference, and nothing happens after', () => {
      given([scheduled(), activated, joined(ORGANIZER, 'presenter')]).when({ type: 'EndConference', data: { by: ORGANIZER } }).then([endedEvent]);
      given([scheduled(), activated, endedEvent]).when({ type: 'EndConference', data: {} }).thenThrows(DomainError, /^conference_ended:/);
      given([scheduled(), activated, endedEvent]).when({ type: 'LockConference', data: { by: ORGANIZER } }).thenThrows(DomainError, /^conference_ended:/);
    });

    it('an attendee cannot end it', () => {
      given([scheduled(), activated, joined(BOB)]).when({ type: 'EndConference', data: { by: BOB } }).thenThrows(DomainError, /^not_a_presenter:/);
    });
  });
});
