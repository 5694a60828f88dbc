import { callEvents, type CallEvent } from '../../events/domain/call-events.ts';
import { assertNever } from '../decider.ts';

export const CALL_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(callEvents));

/**
 * Where a call is. `initiated`, `forwarded` and `transferred` all wait for a
 * (new) route; `held` and `parked` are answered calls with media paused.
 */
export type CallStatus =
  | 'initiated'
  | 'forwarded'
  | 'transferred'
  | 'routed'
  | 'ringing'
  | 'answered'
  | 'held'
  | 'parked'
  | 'ended';

export interface Call {
  readonly status: CallStatus;
  readonly sipCallId: string;
  readonly caller: string;
  /** First answer; a transfer does not restart the call's duration. */
  readonly answeredAt: string | null;
  /** Every party the call was forwarded from or to, to refuse loops. */
  readonly forwardChain: readonly string[];
  readonly orbit: string | null;
}

export type CallState = { readonly status: 'none' } | Call;

export function initialCallState(): CallState {
  return { status: 'none' };
}

function call(state: CallState, type: string): Call {
  if (state.status === 'none') throw new Error(`call stream is corrupt: ${type} before initiated`);
  return state;
}

export function evolveCall(state: CallState, event: CallEvent): CallState {
  switch (event.type) {
    case 'call.initiated.v1':
      return {
        status: 'initiated',
        sipCallId: event.data.sipCallId,
        caller: event.data.caller,
        answeredAt: null,
        forwardChain: [],
        orbit: null,
      };
    case 'call.routed.v1':
      return { ...call(state, event.type), status: 'routed' };
    case 'call.ringing.v1':
      return { ...call(state, event.type), status: 'ringing' };
    case 'call.leg_added.v1':
      return call(state, event.type);
    case 'call.answered.v1': {
      const c = call(state, event.type);
      return { ...c, status: 'answered', answeredAt: c.answeredAt ?? event.data.at };
    }
    case 'call.forwarded.v1': {
      const c = call(state, event.type);
      const chain = c.forwardChain.includes(event.data.from) ? c.forwardChain : [...c.forwardChain, event.data.from];
      return { ...c, status: 'forwarded', forwardChain: [...chain, event.data.to] };
    }
    case 'call.transferred.v1':
      return { ...call(state, event.type), status: 'transferred' };
    case 'call.held.v1':
      return { ...call(state, event.type), status: 'held' };
    case 'call.resumed.v1':
      return { ...call(state, event.type), status: 'answered' };
    case 'call.parked.v1':
      return { ...call(state, event.type), status: 'parked', orbit: event.data.orbit };
    case 'call.retrieved.v1':
      return { ...call(state, event.type), status: 'answered', orbit: null };
    case 'call.ended.v1':
      return { ...call(state, event.type), status: 'ended', orbit: null };
    default:
      return assertNever(event, 'call event');
  }
}
