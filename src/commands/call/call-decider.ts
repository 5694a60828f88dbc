import type { CallEvent } from '../../events/domain/call-events.ts';
import { assertNever, type DecisionContext, type Decider } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import { wholeSecondsBetween } from '../time.ts';
import type { CallCommand } from './call-commands.ts';
import { CALL_EVENT_TYPES, evolveCall, initialCallState, type Call, type CallState, type CallStatus } from './call-state.ts';

/** More forwards than this is a misconfiguration, like SIP's Max-Forwards but per call. */
export const MAX_FORWARDS = 10;

/** Which commands each state accepts; everything else is `invalid_call_state`. */
const ACCEPTS: Readonly<Record<Exclude<CallCommand['type'], 'InitiateCall' | 'EndCall'>, readonly CallStatus[]>> = {
  RouteCall: ['initiated', 'forwarded', 'transferred'],
  MarkCallRinging: ['routed', 'ringing'],
  AnswerCall: ['routed', 'ringing'],
  ForwardCall: ['initiated', 'forwarded', 'routed', 'ringing'],
  AddCallLeg: ['routed', 'ringing'],
  TransferCall: ['answered', 'held'],
  HoldCall: ['answered'],
  ResumeCall: ['held'],
  ParkCall: ['answered', 'held'],
  RetrieveCall: ['parked'],
};

/** The call a command acts on: it must exist and not have ended. */
function ongoing(state: CallState, what: string): Call {
  if (state.status === 'none') throw new DomainError('call_not_found', `${what}: no such call`);
  if (state.status === 'ended') throw new DomainError('call_ended', `${what}: call ${state.sipCallId} has ended`);
  return state;
}

function inState(state: CallState, type: keyof typeof ACCEPTS): Call {
  const c = ongoing(state, type);
  if (!ACCEPTS[type].includes(c.status))
    throw new DomainError('invalid_call_state', `${type}: call ${c.sipCallId} is ${c.status}`);
  return c;
}

export function decideCall(command: CallCommand, state: CallState, context: DecisionContext): readonly CallEvent[] {
  const at = context.now();
  switch (command.type) {
    case 'InitiateCall': {
      if (state.status !== 'none') throw new DomainError('call_exists', `call ${state.sipCallId} already exists`);
      const d = command.data;
      return [
        {
          type: 'call.initiated.v1',
          data: {
            sipCallId: d.sipCallId,
            caller: d.caller,
            dialledString: d.dialledString,
            normalizedNumber: d.normalizedNumber ?? null,
            ...(d.inboundGateway === undefined ? {} : { inboundGateway: d.inboundGateway }),
            at,
          },
        },
      ];
    }
    case 'RouteCall': {
      const c = inState(state, command.type);
      return [{ type: 'call.routed.v1', data: { sipCallId: c.sipCallId, route: command.data.route, at } }];
    }
    case 'MarkCallRinging': {
      const c = inState(state, command.type);
      // Further 180s while ringing change nothing.
      if (c.status === 'ringing') return [];
      return [{ type: 'call.ringing.v1', data: { sipCallId: c.sipCallId, contact: command.data.contact ?? null, at } }];
    }
    case 'AnswerCall': {
      const c = inState(state, command.type);
      return [{ type: 'call.answered.v1', data: { sipCallId: c.sipCallId, contact: command.data.contact, at } }];
    }
    case 'ForwardCall': {
      const c = inState(state, command.type);
      const { reason, from, to } = command.data;
      if (to === from || c.forwardChain.includes(to) || to === c.caller)
        throw new DomainError('forward_loop', `call ${c.sipCallId} would come back to ${to}`);
      if (c.forwardChain.length >= MAX_FORWARDS)
        throw new DomainError('forward_loop', `call ${c.sipCallId} was already forwarded ${MAX_FORWARDS} times`);
      return [{ type: 'call.forwarded.v1', data: { sipCallId: c.sipCallId, reason, from, to, at } }];
    }
    case 'AddCallLeg': {
      const c = inState(state, command.type);
      const { reason, onBehalfOf, member, contacts } = command.data;
      if (member === onBehalfOf || member === c.caller)
        throw new DomainError('invalid_target', `call ${c.sipCallId} cannot ring ${member} on behalf of ${onBehalfOf}`);
      return [{ type: 'call.leg_added.v1', data: { sipCallId: c.sipCallId, reason, onBehalfOf, member, contacts, at } }];
    }
    case 'TransferCall': {
      const c = inState(state, command.type);
      return [{ type: 'call.transferred.v1', data: { sipCallId: c.sipCallId, by: command.data.by, to: command.data.to, at } }];
    }
    case 'HoldCall': {
      const c = inState(state, command.type);
      return [{ type: 'call.held.v1', data: { sipCallId: c.sipCallId, by: command.data.by, at } }];
    }
    case 'ResumeCall': {
      const c = inState(state, command.type);
      return [{ type: 'call.resumed.v1', data: { sipCallId: c.sipCallId, by: command.data.by, at } }];
    }
    case 'ParkCall': {
      const c = inState(state, command.type);
      return [{ type: 'call.parked.v1', data: { sipCallId: c.sipCallId, orbit: command.data.orbit, by: command.data.by, at } }];
    }
    case 'RetrieveCall': {
      const c = inState(state, command.type);
      if (c.orbit !== command.data.orbit)
        throw new DomainError('invalid_call_state', `call ${c.sipCallId} is parked at orbit ${c.orbit}, not ${command.data.orbit}`);
      return [{ type: 'call.retrieved.v1', data: { sipCallId: c.sipCallId, orbit: command.data.orbit, by: command.data.by, at } }];
    }
    case 'EndCall': {
      const c = ongoing(state, command.type);
      return [
        {
          type: 'call.ended.v1',
          data: {
            sipCallId: c.sipCallId,
            cause: command.data.cause,
            sipStatus: command.data.sipStatus ?? null,
            durationSeconds: c.answeredAt === null ? 0 : wholeSecondsBetween(c.answeredAt, at),
            at,
          },
        },
      ];
    }
    default:
      return assertNever(command, 'call command');
  }
}

/** One call (`call-<Call-ID>`): its route, ringing, answer, mid-call features and end. */
export const callDecider: Decider<CallCommand, CallEvent, CallState> = {
  category: 'call',
  eventTypes: CALL_EVENT_TYPES,
  initialState: initialCallState,
  evolve: evolveCall,
  decide: decideCall,
};
