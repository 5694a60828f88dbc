import { describe, it } from 'node:test';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import type { UserEvent } from '../../../../src/commands/user/user-state.ts';
import { specFor, T0 } from '../spec.ts';
import { ALICE, ALICE_LINE, BOB, provisioned } from './user-fixtures.ts';

const { given } = specFor(userDecider);
const CAROL = 'sip:carol@example.test';
const VOICEMAIL = 'sip:alice-vm@um.example.test';

describe('user voice features', () => {
  it('sets the complete forwarding setting; omitted branches are off', () => {
    given([provisioned()])
      .when({
        type: 'SetForwarding',
        data: { noAnswer: { afterSeconds: 20, target: VOICEMAIL }, busy: VOICEMAIL, unreachable: 'tel:+15557654321' },
      })
      .then([
        {
          type: 'voice.forwarding_set.v1',
          data: {
            sipUri: ALICE,
            immediate: null,
            noAnswer: { afterSeconds: 20, target: VOICEMAIL },
            busy: VOICEMAIL,
            unreachable: 'tel:+15557654321',
            at: T0,
          },
        },
      ]);
  });

  it('writes nothing when forwarding is set to what it already is', () => {
    const current: UserEvent = {
      type: 'voice.forwarding_set.v1',
      data: { sipUri: ALICE, immediate: BOB, noAnswer: null, busy: null, unreachable: null, at: T0 },
    };
    given([provisioned(), current]).when({ type: 'SetForwarding', data: { immediate: BOB } }).then([]);
  });

  it('refuses to forward a user to their own SIP URI or line', () => {
    given([provisioned()]).when({ type: 'SetForwarding', data: { immediate: ALICE } }).thenThrows(DomainError, /^invalid_target:/);
    given([provisioned()]).when({ type: 'SetForwarding', data: { busy: ALICE_LINE } }).thenThrows(DomainError, /^invalid_target:/);
  });

  it('refuses voice features to a user without Enterprise Voice', () => {
    const imOnly = provisioned({ enterpriseVoiceEnabled: false, lineUri: null });
    given([imOnly]).when({ type: 'SetForwarding', data: { immediate: BOB } }).thenThrows(DomainError, /^voice_not_enabled:/);
    given([imOnly]).when({ type: 'SetSimultaneousRing', data: { targets: [BOB] } }).thenThrows(DomainError, /^voice_not_enabled:/);
    given([imOnly]).when({ type: 'SetDelegates', data: { delegates: [BOB] } }).thenThrows(DomainError, /^voice_not_enabled:/);
    given([imOnly]).when({ type: 'SetTeamCall', data: { members: [BOB] } }).thenThrows(DomainError, /^voice_not_enabled:/);
  });

  it('sets simultaneous ring targets, and turns it off with none', () => {
    given([provisioned()])
      .when({ type: 'SetSimultaneousRing', data: { targets: ['tel:+15550001111', BOB] } })
      .then([{ type: 'voice.simultaneous_ring_set.v1', data: { sipUri: ALICE, targets: ['tel:+15550001111', BOB], at: T0 } }]);
    given([provisioned(), { type: 'voice.simultaneous_ring_set.v1', data: { sipUri: ALICE, targets: [BOB], at: T0 } }])
      .when({ type: 'SetSimultaneousRing', data: { targets: [] } })
      .then([{ type: 'voice.simultaneous_ring_set.v1', data: { sipUri: ALICE, targets: [], at: T0 } }]);
  });

  it('sets delegates but not the user as their own delegate', () => {
    given([provisioned()])
      .when({ type: 'SetDelegates', data: { delegates: [BOB, CAROL] } })
      .then([{ type: 'voice.delegates_set.v1', data: { sipUri: ALICE, delegates: [BOB, CAROL], at: T0 } }]);
    given([provisioned()]).when({ type: 'SetDelegates', data: { delegates: [ALICE] } }).thenThrows(DomainError, /^invalid_target:/);
  });

  it('sets team-call members with a ring delay (default 0)', () => {
    given([provisioned()])
      .when({ type: 'SetTeamCall', data: { members: [BOB, CAROL], ringAfterSeconds: 10 } })
      .then([{ type: 'voice.team_call_set.v1', data: { sipUri: ALICE, members: [BOB, CAROL], ringAfterSeconds: 10, at: T0 } }]);
    given([provisioned()])
      .when({ type: 'SetTeamCall', data: { members: [BOB] } })
      .then([{ type: 'voice.team_call_set.v1', data: { sipUri: ALICE, members: [BOB], ringAfterSeconds: 0, at: T0 } }]);
  });
});
