import { z } from 'zod';
import { CallEndCauseSchema, CallRouteSchema, ForwardReasonSchema } from '../../events/domain/call-events.ts';
import { SipUriSchema } from '../../events/domain/primitives.ts';
import type { CallAsOfState } from '../../projections/as-of/call-as-of.ts';
import type { LocationReader } from '../../projections/location/index.ts';
import { resolveRoutingInput, type RoutingReader } from '../../projections/routing/index.ts';
import { planDialled } from '../../realtime/calls/call-plan.ts';
import { dialledOf } from '../../realtime/calls/dialled-target.ts';
import { parseUri } from '../../realtime/sip/uri.ts';

/**
 * A call router's first decision for a new call, in the terms its events
 * record: the number the dial plan produced, the forwards taken at once
 * (immediate, unreachable), then the route (`call.routed.v1`) or the refusal
 * (`call.ended.v1` with its SIP status). Later forwards (busy, no answer)
 * depend on what the phones did, not on configuration, and are not part of it.
 */
export const RoutingDecisionSchema = z.object({
  normalizedNumber: z.string().nullable(),
  forwards: z.array(z.object({ reason: ForwardReasonSchema, from: z.string(), to: z.string() })),
  outcome: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('route'), route: CallRouteSchema }),
    z.object({ kind: z.literal('refuse'), status: z.number().int().nullable(), cause: CallEndCauseSchema }),
  ]),
});
export type RoutingDecision = z.infer<typeof RoutingDecisionSchema>;

/** A dialled string the router took for digits (`2001`, `+14255550100;ext=100`). */
const DIGITS = /^\+?[0-9*#]{1,64}(?:;ext=[0-9*#]{1,64})?$/;

/** What was dialled, recovered from `call.initiated.v1` (see CallRouter: it records the form it routed). */
type DialledAgain = { readonly kind: 'routable'; readonly dialled: string } | { readonly kind: 'unroutable'; readonly status: number };

function dialledAgain(call: Pick<CallAsOfState, 'dialledString' | 'normalizedNumber'>): DialledAgain {
  if (call.normalizedNumber !== null || SipUriSchema.safeParse(call.dialledString).success || DIGITS.test(call.dialledString))
    return { kind: 'routable', dialled: call.dialledString };
  // The router records an unroutable Request-URI as written; its answer depended only on the URI.
  const uri = parseUri(call.dialledString);
  if (!uri.ok) return { kind: 'unroutable', status: 404 };
  const dialled = dialledOf(uri.value);
  if (dialled === undefined) return { kind: 'unroutable', status: uri.value.scheme === 'other' ? 416 : 404 };
  return { kind: 'routable', dialled: dialled.dialled };
}

/**
 * The call router's decision re-run with the same pure functions it uses
 * (`resolveRoutingInput`: dial plan → reverse number lookup → PSTN inputs;
 * `planDialled`: forwarding, voice policy → PSTN usage → route → gateway)
 * over the given routing and location readers at `now`.
 */
export function decideRouting(
  routing: RoutingReader,
  location: Pick<LocationReader, 'liveContacts'>,
  call: Pick<CallAsOfState, 'caller' | 'dialledString' | 'normalizedNumber'>,
  now: string,
): RoutingDecision {
  const again = dialledAgain(call);
  if (again.kind === 'unroutable') return { normalizedNumber: null, forwards: [], outcome: { kind: 'refuse', status: again.status, cause: 'no_route' } };
  const input = resolveRoutingInput(routing, call.caller, again.dialled);
  if (input.kind === 'unknown_caller') return { normalizedNumber: null, forwards: [], outcome: { kind: 'refuse', status: 403, cause: 'rejected' } };
  const isNumber = !SipUriSchema.safeParse(again.dialled).success;
  const plan = planDialled({ routing, location, now, nextHopOf: () => undefined }, input);
  return {
    normalizedNumber: isNumber ? input.normalization.number : null,
    forwards: plan.forwards.map((f) => ({ reason: f.reason, from: f.from, to: f.to })),
    outcome:
      plan.outcome.kind === 'refuse'
        ? { kind: 'refuse', status: plan.outcome.status, cause: plan.outcome.cause }
        : { kind: 'route', route: plan.outcome.leg.route },
  };
}

/**
 * The decision the call's events record: the events stamped with the
 * instant the call was initiated (the router records its whole first
 * decision at that one instant). Null when the log holds no decision yet.
 */
export function recordedDecision(call: CallAsOfState): RoutingDecision | null {
  const at = call.initiatedAt;
  const forwards = call.forwards.filter((f) => f.at === at).map((f) => ({ reason: f.reason, from: f.from, to: f.to }));
  const leg = call.legs[0];
  if (leg !== undefined && leg.at === at) return { normalizedNumber: call.normalizedNumber, forwards, outcome: { kind: 'route', route: leg.route } };
  if (call.ended !== null && call.ended.at === at && call.legs.length === 0)
    return { normalizedNumber: call.normalizedNumber, forwards, outcome: { kind: 'refuse', status: call.ended.sipStatus, cause: call.ended.cause } };
  return null;
}

/** Field-wise equality of two decisions (routes compared as the JSON the events carry). */
export function sameDecision(a: RoutingDecision, b: RoutingDecision): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
