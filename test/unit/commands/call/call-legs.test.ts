import { describe, it } from 'node:test';
import { callDecider } from '../../../../src/commands/call/call-decider.ts';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import type { CallEvent } from '../../../../src/events/domain/call-events.ts';
import { specFor, T0 } from '../spec.ts';

const { given } = specFor(callDecider);

const CALL_ID = 'legs-1@pc33.example.test';
const ALICE = 'sip:alice@example.test';
const BOSS = 'sip:boss@example.test';
const TINA = 'sip:tina@example.test';
const TINA_PC = 'sip:tina@10.0.0.7:5061;transport=tls';

const initiated: CallEvent = {
  type: 'call.initiated.v1',
  data: { sipCallId: CALL_ID, caller: ALICE, dialledString: BOSS, normalizedNumber: null, at: T0 },
};
const routed: CallEvent = {
  type: 'call.routed.v1',
  data: { sipCallId: CALL_ID, route: { kind: 'user', target: BOSS, contacts: ['sip:boss@10.0.0.2'] }, at: T0 },
};
const legData = { reason: 'team_call' as const, onBehalfOf: BOSS, member: TINA, contacts: [TINA_PC] };

describe('call legs (team call, delegates)', () => {
  it('records a leg while the call is routed or ringing', () => {
    given([initiated, routed])
      .when({ type: 'AddCallLeg', data: legData })
      .then([{ type: 'call.leg_added.v1', data: { sipCallId: CALL_ID, ...legData, at: T0 } }]);
    const ringing: CallEvent = { type: 'call.ringing.v1', data: { sipCallId: CALL_ID, contact: null, at: T0 } };
    given([initiated, routed, ringing])
      .when({ type: 'AddCallLeg', data: { ...legData, reason: 'delegate' } })
      .then([{ type: 'call.leg_added.v1', data: { sipCallId: CALL_ID, ...legData, reason: 'delegate', at: T0 } }]);
  });

  it('refuses a leg before the route, after the answer, or to the callee or the caller', () => {
    given([initiated]).when({ type: 'AddCallLeg', data: legData }).thenThrows(DomainError, /^invalid_call_state:/);
    const answered: CallEvent = { type: 'call.answered.v1', data: { sipCallId: CALL_ID, contact: TINA_PC, at: T0 } };
    given([initiated, routed, answered]).when({ type: 'AddCallLeg', data: legData }).thenThrows(DomainError, /^invalid_call_state:/);
    given([initiated, routed]).when({ type: 'AddCallLeg', data: { ...legData, member: BOSS } }).thenThrows(DomainError, /^invalid_target:/);
    given([initiated, routed]).when({ type: 'AddCallLeg', data: { ...legData, member: ALICE } }).thenThrows(DomainError, /^invalid_target:/);
  });

  it('a leg leaves the call state as it was: the answer that follows is accepted', () => {
    const leg: CallEvent = { type: 'call.leg_added.v1', data: { sipCallId: CALL_ID, ...legData, at: T0 } };
    given([initiated, routed, leg])
      .when({ type: 'AnswerCall', data: { contact: TINA_PC } })
      .then([{ type: 'call.answered.v1', data: { sipCallId: CALL_ID, contact: TINA_PC, at: T0 } }]);
  });

  it('records the gateway an inbound call came from', () => {
    given([])
      .when({ type: 'InitiateCall', data: { sipCallId: CALL_ID, caller: 'tel:+15550001111', dialledString: '+14255550100', normalizedNumber: '+14255550100', inboundGateway: 'gw1' } })
      .then([
        {
          type: 'call.initiated.v1',
          data: { sipCallId: CALL_ID, caller: 'tel:+15550001111', dialledString: '+14255550100', normalizedNumber: '+14255550100', inboundGateway: 'gw1', at: T0 },
        },
      ]);
  });
});
