import type { CallEvent } from '../../events/domain/call-events.ts';

/**
 * What the presence model remembers of a call: just enough to know which
 * users are "in a call". The call's stream names the caller at `initiated` and
 * the callee only in its route, so the callee is the target of the last user
 * route, taken when the call is answered.
 */
export interface TrackedCall {
  readonly sipCallId: string;
  /** A SIP URI or a tel: URI (a PSTN caller is nobody's presence). */
  readonly caller: string;
  /** The user the current route rings; null for a PSTN route or while waiting for a route. */
  readonly routedTarget: string | null;
  readonly answered: boolean;
  /** Who parked the call, until it is retrieved. */
  readonly parkedBy: string | null;
  /** Users in the call now, sorted. Empty until answered. */
  readonly parties: readonly string[];
}

export interface CallPartiesChange {
  /** The call after the event; null once it ended (or for an event of a call never initiated). */
  readonly call: TrackedCall | null;
  /** Users who are now in this call and were not before. */
  readonly joined: readonly string[];
  /** Users who were in this call and are not any more. */
  readonly left: readonly string[];
}

function isUser(target: string | null): target is string {
  return target !== null && target.startsWith('sip:');
}

function partiesOf(...lists: readonly (readonly (string | null)[])[]): string[] {
  return [...new Set(lists.flat().filter(isUser))].sort();
}

/**
 * The next state of one call for one of its events; pure, shared by the SQL
 * projection and the view. Rules:
 * - answered: the caller (first answer) or the parties still connected (after a
 *   transfer) plus the routed user are in the call;
 * - transferred: the transferor (`by`) leaves; the other party stays in the
 *   call while it is routed on;
 * - held, parked: everybody stays in the call (their phone is still busy with
 *   it); retrieved by somebody else: the retriever takes the parker's place;
 * - ended: everybody leaves.
 * Events of a call whose `initiated` was never seen change nothing: a log
 * always starts a call's stream with it, so this is only a defensive rule.
 */
export function evolveTrackedCall(call: TrackedCall | null, event: CallEvent): CallPartiesChange {
  const next = nextCall(call, event);
  const before = call?.parties ?? [];
  const after = next?.parties ?? [];
  return { call: next, joined: after.filter((u) => !before.includes(u)), left: before.filter((u) => !after.includes(u)) };
}

function nextCall(call: TrackedCall | null, event: CallEvent): TrackedCall | null {
  if (event.type === 'call.initiated.v1')
    return { sipCallId: event.data.sipCallId, caller: event.data.caller, routedTarget: null, answered: false, parkedBy: null, parties: [] };
  if (call === null) return null;
  switch (event.type) {
    case 'call.routed.v1': {
      const route = event.data.route;
      return { ...call, routedTarget: route.kind === 'user' ? route.target : null };
    }
    case 'call.ringing.v1':
    case 'call.leg_added.v1':
    case 'call.held.v1':
    case 'call.resumed.v1':
      return call;
    case 'call.answered.v1':
      return { ...call, answered: true, parties: partiesOf(call.answered ? call.parties : [call.caller], [call.routedTarget]) };
    case 'call.forwarded.v1':
      return { ...call, routedTarget: null };
    case 'call.transferred.v1':
      return { ...call, routedTarget: null, parties: call.parties.filter((u) => u !== event.data.by) };
    case 'call.parked.v1':
      return { ...call, parkedBy: event.data.by };
    case 'call.retrieved.v1': {
      const by = event.data.by;
      const parties = !isUser(by) || call.parties.includes(by) ? call.parties : partiesOf(call.parties.filter((u) => u !== call.parkedBy), [by]);
      return { ...call, parkedBy: null, parties };
    }
    case 'call.ended.v1':
      return null;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled call event ${String(unreachable)}`);
    }
  }
}
