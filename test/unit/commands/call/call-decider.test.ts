import { describe, it } from 'node:test';
import { callDecider, MAX_FORWARDS } from '../../../../src/commands/call/call-decider.ts';
import type { CallCommand } from '../../../../src/commands/call/call-commands.ts';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import type { CallEvent } from '../../../../src/events/domain/call-events.ts';
import { specFor, T0 } from '../spec.ts';

const { given } = specFor(callDecider);

const CALL_ID = 'a84b4c76e66710@pc33.example.test';
const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const BOB_PC = 'sip:bob@10.0.0.2:5061;transport=tls';
const ANSWERED_AT = '2024-05-01T09:00:05.000Z';

const initiated: CallEvent = {
  type: 'call.initiated.v1',
  data: { sipCallId: CALL_ID, caller: ALICE, dialledString: '2001', normalizedNumber: '+15552222001', at: T0 },
};
const routedToBob: CallEvent = {
  type: 'call.routed.v1',
  data: { sipCallId: CALL_ID, route: { kind: 'user', target: BOB, contacts: [BOB_PC] }, at: T0 },
};
const ringing: CallEvent = { type: 'call.ringing.v1', data: { sipCallId: CALL_ID, contact: BOB_PC, at: T0 } };
const answered: CallEvent = { type: 'call.answered.v1', data: { sipCallId: CALL_ID, contact: BOB_PC, at: ANSWERED_AT } };
const held: CallEvent = { type: 'call.held.v1', data: { sipCallId: CALL_ID, by: BOB, at: ANSWERED_AT } };
const parked: CallEvent = { type: 'call.parked.v1', data: { sipCallId: CALL_ID, orbit: '7001', by: BOB, at: ANSWERED_AT } };
const ended: CallEvent = {
  type: 'call.ended.v1',
  data: { sipCallId: CALL_ID, cause: 'completed', sipStatus: null, durationSeconds: 60, at: '2024-05-01T09:01:05.000Z' },
};
const inProgress = [initiated, routedToBob, ringing, answered];

describe('call', () => {
  describe('InitiateCall', () => {
    it('initiates a call keyed by its SIP Call-ID', () => {
      given([])
        .when({ type: 'InitiateCall', data: { sipCallId: CALL_ID, caller: ALICE, dialledString: '2001', normalizedNumber: '+15552222001' } })
        .then([initiated]);
    });

    it('refuses a Call-ID that is already a call', () => {
      given([initiated])
        .when({ type: 'InitiateCall', data: { sipCallId: CALL_ID, caller: ALICE, dialledString: '2001' } })
        .thenThrows(DomainError, /^call_exists:/);
    });

    it('refuses any other command on an unknown call', () => {
      given([]).when({ type: 'AnswerCall', data: { contact: BOB_PC } }).thenThrows(DomainError, /^call_not_found:/);
    });
  });

  describe('routing', () => {
    it('routes to a user, or to the PSTN with the route, gateways, policy and usage that allowed it', () => {
      given([initiated]).when({ type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: [BOB_PC] } } }).then([routedToBob]);
      const pstn = {
        kind: 'pstn',
        number: '+442079460000',
        routeName: 'UK',
        gateway: 'gw-london-1',
        gateways: ['gw-london-1', 'gw-london-2'],
        voicePolicy: 'Standard',
        pstnUsage: 'International',
      } as const;
      given([initiated])
        .when({ type: 'RouteCall', data: { route: { ...pstn, gateways: [...pstn.gateways] } } })
        .then([{ type: 'call.routed.v1', data: { sipCallId: CALL_ID, route: { ...pstn, gateways: [...pstn.gateways] }, at: T0 } }]);
    });

    it('refuses to route a call that is already ringing', () => {
      given([initiated, routedToBob, ringing])
        .when({ type: 'RouteCall', data: { route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] } } })
        .thenThrows(DomainError, /^invalid_call_state: .*ringing/);
    });
  });

  describe('ringing and answer', () => {
    it('rings once; later 180s change nothing', () => {
      given([initiated, routedToBob]).when({ type: 'MarkCallRinging', data: { contact: BOB_PC } }).then([ringing]);
      given([initiated, routedToBob, ringing]).when({ type: 'MarkCallRinging', data: {} }).then([]);
    });

    it('answers a ringing or routed call', () => {
      given([initiated, routedToBob, ringing]).at(ANSWERED_AT).when({ type: 'AnswerCall', data: { contact: BOB_PC } }).then([answered]);
      given([initiated, routedToBob]).at(ANSWERED_AT).when({ type: 'AnswerCall', data: { contact: BOB_PC } }).then([answered]);
    });

    it('refuses to answer a call that has no route yet, or is already answered', () => {
      given([initiated]).when({ type: 'AnswerCall', data: { contact: BOB_PC } }).thenThrows(DomainError, /^invalid_call_state:/);
      given(inProgress).when({ type: 'AnswerCall', data: { contact: BOB_PC } }).thenThrows(DomainError, /^invalid_call_state:/);
    });
  });

  describe('forwarding', () => {
    it('forwards an unanswered call, which then needs a new route', () => {
      const forwarded: CallEvent = {
        type: 'call.forwarded.v1',
        data: { sipCallId: CALL_ID, reason: 'no_answer', from: BOB, to: CAROL, at: T0 },
      };
      given([initiated, routedToBob, ringing]).when({ type: 'ForwardCall', data: { reason: 'no_answer', from: BOB, to: CAROL } }).then([forwarded]);
      given([initiated, routedToBob, ringing, forwarded])
        .when({ type: 'RouteCall', data: { route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] } } })
        .then([{ type: 'call.routed.v1', data: { sipCallId: CALL_ID, route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] }, at: T0 } }]);
    });

    it('refuses a forward back to someone already in the chain', () => {
      const bobToCarol: CallEvent = { type: 'call.forwarded.v1', data: { sipCallId: CALL_ID, reason: 'immediate', from: BOB, to: CAROL, at: T0 } };
      given([initiated, bobToCarol])
        .when({ type: 'ForwardCall', data: { reason: 'immediate', from: CAROL, to: BOB } })
        .thenThrows(DomainError, /^forward_loop:/);
    });

    it(`refuses more than ${MAX_FORWARDS} forwards`, () => {
      const hops: CallEvent[] = [];
      for (let i = 0; i < MAX_FORWARDS; i++)
        hops.push({
          type: 'call.forwarded.v1',
          data: { sipCallId: CALL_ID, reason: 'immediate', from: `sip:u${i}@example.test`, to: `sip:u${i + 1}@example.test`, at: T0 },
        });
      given([initiated, ...hops])
        .when({ type: 'ForwardCall', data: { reason: 'immediate', from: `sip:u${MAX_FORWARDS}@example.test`, to: 'sip:zed@example.test' } })
        .thenThrows(DomainError, /^forward_loop: .*already forwarded/);
    });

    it('refuses to forward an answered call (that is a transfer)', () => {
      given(inProgress).when({ type: 'ForwardCall', data: { reason: 'busy', from: BOB, to: CAROL } }).thenThrows(DomainError, /^invalid_call_state:/);
    });
  });

  describe('mid-call', () => {
    it('holds only an answered call, and resumes only a held one', () => {
      given(inProgress).at(ANSWERED_AT).when({ type: 'HoldCall', data: { by: BOB } }).then([held]);
      given([initiated, routedToBob, ringing]).when({ type: 'HoldCall', data: { by: BOB } }).thenThrows(DomainError, /^invalid_call_state: .*ringing/);
      given([...inProgress, held]).when({ type: 'HoldCall', data: { by: BOB } }).thenThrows(DomainError, /^invalid_call_state: .*held/);
      given([...inProgress, held])
        .when({ type: 'ResumeCall', data: { by: BOB } })
        .then([{ type: 'call.resumed.v1', data: { sipCallId: CALL_ID, by: BOB, at: T0 } }]);
      given(inProgress).when({ type: 'ResumeCall', data: { by: BOB } }).thenThrows(DomainError, /^invalid_call_state:/);
    });

    it('transfers an answered call, which then needs a new route', () => {
      const transferred: CallEvent = { type: 'call.transferred.v1', data: { sipCallId: CALL_ID, by: BOB, to: CAROL, at: T0 } };
      given(inProgress).when({ type: 'TransferCall', data: { by: BOB, to: CAROL } }).then([transferred]);
      given([...inProgress, transferred])
        .when({ type: 'RouteCall', data: { route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] } } })
        .then([{ type: 'call.routed.v1', data: { sipCallId: CALL_ID, route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] }, at: T0 } }]);
    });

    it('parks and retrieves from the same orbit', () => {
      given(inProgress).at(ANSWERED_AT).when({ type: 'ParkCall', data: { orbit: '7001', by: BOB } }).then([parked]);
      given([...inProgress, parked])
        .when({ type: 'RetrieveCall', data: { orbit: '7001', by: CAROL } })
        .then([{ type: 'call.retrieved.v1', data: { sipCallId: CALL_ID, orbit: '7001', by: CAROL, at: T0 } }]);
      given([...inProgress, parked])
        .when({ type: 'RetrieveCall', data: { orbit: '7002', by: CAROL } })
        .thenThrows(DomainError, /^invalid_call_state: .*orbit 7001/);
      given(inProgress).when({ type: 'RetrieveCall', data: { orbit: '7001', by: CAROL } }).thenThrows(DomainError, /^invalid_call_state:/);
    });
  });

  describe('EndCall', () => {
    it('derives the duration from the answer to the end', () => {
      given(inProgress)
        .at('2024-05-01T09:01:05.999Z')
        .when({ type: 'EndCall', data: { cause: 'completed' } })
        .then([{ ...ended, data: { ...ended.data, at: '2024-05-01T09:01:05.999Z' } } as CallEvent]);
    });

    it('keeps the first answer as the start when the call was transferred and answered again', () => {
      const transferred: CallEvent = { type: 'call.transferred.v1', data: { sipCallId: CALL_ID, by: BOB, to: CAROL, at: '2024-05-01T09:00:30.000Z' } };
      const toCarol: CallEvent = {
        type: 'call.routed.v1',
        data: { sipCallId: CALL_ID, route: { kind: 'user', target: CAROL, contacts: ['sip:carol@10.0.0.3'] }, at: '2024-05-01T09:00:30.000Z' },
      };
      const carolAnswers: CallEvent = { type: 'call.answered.v1', data: { sipCallId: CALL_ID, contact: 'sip:carol@10.0.0.3', at: '2024-05-01T09:00:40.000Z' } };
      given([...inProgress, transferred, toCarol, carolAnswers])
        .at('2024-05-01T09:01:05.000Z')
        .when({ type: 'EndCall', data: { cause: 'completed' } })
        .then([ended]);
    });

    it('gives 0 seconds to a call that was never answered', () => {
      given([initiated, routedToBob, ringing])
        .at('2024-05-01T09:00:30.000Z')
        .when({ type: 'EndCall', data: { cause: 'no_answer', sipStatus: 408 } })
        .then([{ type: 'call.ended.v1', data: { sipCallId: CALL_ID, cause: 'no_answer', sipStatus: 408, durationSeconds: 0, at: '2024-05-01T09:00:30.000Z' } }]);
    });

    it('an ended call accepts nothing', () => {
      const commands: CallCommand[] = [
        { type: 'EndCall', data: { cause: 'completed' } },
        { type: 'HoldCall', data: { by: BOB } },
        { type: 'AnswerCall', data: { contact: BOB_PC } },
        { type: 'MarkCallRinging', data: {} },
        { type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: [BOB_PC] } } },
        { type: 'ForwardCall', data: { reason: 'busy', from: BOB, to: CAROL } },
        { type: 'ParkCall', data: { orbit: '7001', by: BOB } },
        { type: 'TransferCall', data: { by: BOB, to: CAROL } },
      ];
      for (const command of commands) given([...inProgress, ended]).when(command).thenThrows(DomainError, /^call_ended:/);
      given([...inProgress, ended])
        .when({ type: 'InitiateCall', data: { sipCallId: CALL_ID, caller: ALICE, dialledString: '2001' } })
        .thenThrows(DomainError, /^call_exists:/);
    });
  });
});
