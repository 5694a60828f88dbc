import { z } from 'zod';
import { CALL_EVENT_TYPES, evolveCall, initialCallState } from '../../commands/call/call-state.ts';
import { callStreamId } from '../../commands/stream-ids.ts';
import { CallEndCauseSchema, CallRouteSchema, ForwardReasonSchema, type CallEvent } from '../../events/domain/call-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { NotFoundAtInstantError } from './not-found-at-instant-error.ts';
import { streamEventsAsOf } from './stream-as-of.ts';

const LegSchema = z.object({
  /** When the leg was routed (the router's clock). */
  at: z.string(),
  route: CallRouteSchema,
  /** Contact that sent 180/183 first on this leg; null when none or not known. */
  ringing: z.string().nullable(),
  answeredBy: z.string().nullable(),
});

/** A call at an instant: GET /replay/calls/{callId}?at= and `chorus replay --call`. */
export const CallAsOfStateSchema = z.object({
  status: z.enum(['initiated', 'forwarded', 'transferred', 'routed', 'ringing', 'answered', 'held', 'parked', 'ended']),
  caller: z.string(),
  dialledString: z.string(),
  normalizedNumber: z.string().nullable(),
  initiatedAt: z.string(),
  answeredAt: z.string().nullable(),
  forwards: z.array(z.object({ at: z.string(), reason: ForwardReasonSchema, from: z.string(), to: z.string() })),
  /** Each routing of the call (the first, then after each forward or transfer), in order. */
  legs: z.array(LegSchema),
  ended: z.object({ at: z.string(), cause: CallEndCauseSchema, sipStatus: z.number().nullable(), durationSeconds: z.number() }).nullable(),
});
export type CallAsOfState = z.infer<typeof CallAsOfStateSchema>;
type CallLeg = z.infer<typeof LegSchema>;

export interface CallAsOf {
  /** The SIP Call-ID: a call's id in Chorus (its stream is `call-<Call-ID>`). */
  readonly sipCallId: string;
  readonly at: string;
  readonly position: bigint;
  readonly state: CallAsOfState;
}

/** The call's events up to `at`, folded with the call aggregate's `evolve` for its status plus its legs. */
export async function callAsOf(store: EventStore<DomainEvent>, sipCallId: string, at: string): Promise<CallAsOf> {
  let streamId: string;
  try {
    streamId = callStreamId(sipCallId);
  } catch {
    throw new NotFoundAtInstantError('call', sipCallId, at);
  }
  const events = (await streamEventsAsOf(store, streamId, at)).filter((e) => CALL_EVENT_TYPES.has(e.type)) as unknown as (CallEvent & {
    globalPosition: bigint;
  })[];
  let state = initialCallState();
  let position = 0n;
  let initiated: { dialledString: string; normalizedNumber: string | null; at: string } | null = null;
  const forwards: CallAsOfState['forwards'] = [];
  const legs: CallLeg[] = [];
  let ended: CallAsOfState['ended'] = null;
  const current = (): CallLeg | undefined => legs[legs.length - 1];
  for (const event of events) {
    state = evolveCall(state, event);
    position = event.globalPosition;
    switch (event.type) {
      case 'call.initiated.v1':
        initiated = { dialledString: event.data.dialledString, normalizedNumber: event.data.normalizedNumber, at: event.data.at };
        break;
      case 'call.forwarded.v1':
        forwards.push({ at: event.data.at, reason: event.data.reason, from: event.data.from, to: event.data.to });
        break;
      case 'call.routed.v1':
        legs.push({ at: event.data.at, route: event.data.route, ringing: null, answeredBy: null });
        break;
      case 'call.ringing.v1': {
        const leg = current();
        if (leg && leg.ringing === null) legs[legs.length - 1] = { ...leg, ringing: event.data.contact };
        break;
      }
      case 'call.answered.v1': {
        const leg = current();
        if (leg) legs[legs.length - 1] = { ...leg, answeredBy: event.data.contact };
        break;
      }
      case 'call.ended.v1':
        ended = { at: event.data.at, cause: event.data.cause, sipStatus: event.data.sipStatus, durationSeconds: event.data.durationSeconds };
        break;
      case 'call.leg_added.v1':
      case 'call.transferred.v1':
      case 'call.held.v1':
      case 'call.resumed.v1':
      case 'call.parked.v1':
      case 'call.retrieved.v1':
        break;
      default: {
        const never: never = event;
        throw new Error(`call as-of: unhandled ${String(never)}`);
      }
    }
  }
  if (state.status === 'none' || initiated === null) throw new NotFoundAtInstantError('call', sipCallId, at);
  return {
    sipCallId,
    at,
    position,
    state: {
      status: state.status,
      caller: state.caller,
      dialledString: initiated.dialledString,
      normalizedNumber: initiated.normalizedNumber,
      initiatedAt: initiated.at,
      answeredAt: state.answeredAt,
      forwards,
      legs,
      ended,
    },
  };
}
