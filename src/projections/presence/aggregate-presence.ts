import { AVAILABILITY_CODES } from '../../events/domain/availability.ts';
import { earliest, isLiveAt } from './instants.ts';
import type { AggregatedPresence, MachinePublication, PresenceInputs } from './presence-inputs.ts';

/** The activity OCS shows for the phone state ("on-the-phone" token). */
export const IN_A_CALL = 'In a call';

/**
 * One user's presence across all their endpoints, as of `now`. Pure: the SQL
 * projection (for its `presence_states` row) and the in-memory view's reader
 * both call it, so the two can never disagree.
 *
 * The precedence follows OCS 2007 R2's aggregation of the user, machine and
 * phone state categories:
 *
 * 1. No live endpoint → Offline. Nobody can be reached, whatever was chosen
 *    or published (a user-set note is still shown).
 * 2. A live user-set state wins over everything else ("Appear away", DND,
 *    "Appear offline"): OCS publishes it in the user-state category, which
 *    overrides machine and phone state. So a user-set DND beats an in-call Busy.
 *    The one exception is a user-set Available: Communicator treats it as
 *    "reset to automatic", so a call still makes the user Busy / In a call
 *    (it does beat an idle machine's Away, as in OCS).
 * 3. Otherwise machine and phone state combine: among the endpoints the most
 *    available publication wins (lowest code: OCS takes the user's most active
 *    machine), then the phone state "In a call" (Busy) wins over it unless the
 *    machine state is already less available than Busy (e.g. a machine DND
 *    while presenting). On a tie the call wins, so the activity says why.
 * 4. Live endpoints that published nothing (a plain SIP phone registers but
 *    never PUBLISHes) → Available: registered means reachable.
 *
 * Publications of an endpoint that is not (or no longer) live do not count.
 * The note is the user-set state's note if it has one, else the winning
 * publication's.
 */
export function aggregatePresence(inputs: PresenceInputs, now: string): AggregatedPresence {
  const liveEndpoints = [...inputs.endpoints].filter(([, expiresAt]) => isLiveAt(expiresAt, now)).map(([id]) => id);
  const userState = inputs.userState && (inputs.userState.until === null || isLiveAt(inputs.userState.until, now)) ? inputs.userState : null;
  const inCall = inputs.calls.size > 0;
  if (liveEndpoints.length === 0)
    return { availability: 'offline', code: AVAILABILITY_CODES.offline, activity: null, note: userState?.note ?? null, source: 'no_endpoint' };

  const machine = mostAvailable(
    liveEndpoints.map((id) => inputs.publications.get(id)).filter((p): p is MachinePublication => p !== undefined && isLiveAt(p.expiresAt, now)),
  );
  const note = userState?.note ?? machine?.note ?? null;
  const call: AggregatedPresence = { availability: 'busy', code: AVAILABILITY_CODES.busy, activity: IN_A_CALL, note, source: 'call' };

  if (userState) {
    if (userState.availability === 'available' && inCall) return call;
    const activity = userState.availability === 'busy' && inCall ? IN_A_CALL : null;
    return { availability: userState.availability, code: userState.code, activity, note, source: 'user' };
  }
  if (machine) {
    if (inCall && call.code >= machine.code) return call;
    return { availability: machine.availability, code: machine.code, activity: machine.activity, note, source: 'machine' };
  }
  if (inCall) return call;
  return { availability: 'available', code: AVAILABILITY_CODES.available, activity: null, note, source: 'registration' };
}

/** Lowest code first; equal codes by endpoint id, so the choice never depends on map order. */
function mostAvailable(publications: readonly MachinePublication[]): MachinePublication | undefined {
  let best: MachinePublication | undefined;
  for (const p of publications)
    if (!best || p.code < best.code || (p.code === best.code && p.endpointId < best.endpointId)) best = p;
  return best;
}

/**
 * The last instant through which `aggregatePresence(inputs, t)` is sure to equal
 * its value at `asOf`: the earliest expiry (endpoint, publication, user-set
 * `until`) still live at `asOf`. Null when nothing in the inputs expires. The
 * presence server can schedule a NOTIFY for the instant after it, since the
 * expiry event itself (a sweep) may come later.
 */
export function presenceValidThrough(inputs: PresenceInputs, asOf: string): string | null {
  let through: string | null = null;
  const consider = (instant: string) => {
    if (isLiveAt(instant, asOf)) through = earliest(through, instant);
  };
  for (const expiresAt of inputs.endpoints.values()) consider(expiresAt);
  for (const p of inputs.publications.values()) consider(p.expiresAt);
  if (inputs.userState?.until) consider(inputs.userState.until);
  return through;
}
