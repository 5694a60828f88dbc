import { MAX_FORWARDS } from '../../commands/call/call-decider.ts';
import { selectPstnRoute } from '../../commands/voice-config/select-pstn-route.ts';
import type { CallEndCause, CallLegReason, CallRoute, ForwardReason } from '../../events/domain/call-events.ts';
import { SipUriSchema, type CallTarget } from '../../events/domain/primitives.ts';
import type { Gateway } from '../../events/domain/voice-config-events.ts';
import type { Binding, LocationReader } from '../../projections/location/index.ts';
import type { RoutingInput, RoutingReader, RoutingUser } from '../../projections/routing/index.ts';
import type { ProxyTarget } from '../engine/proxy-operation.ts';
import type { NextHop } from '../engine/signaling-engine.ts';

/** The views a routing decision reads, and the instant it is made at. */
export type PlanContext = {
  readonly routing: RoutingReader;
  readonly location: Pick<LocationReader, 'liveContacts'>;
  /** ISO-8601; bindings expired by then do not ring. */
  readonly now: string;
  /** Where to send a branch to a registered contact; undefined: where its URI points. */
  readonly nextHopOf: (binding: Binding) => NextHop | undefined;
};

export type UserRoute = Extract<CallRoute, { kind: 'user' }>;
export type PstnRoute = Extract<CallRoute, { kind: 'pstn' }>;

/** One step of the call's forwarding, as `call.forwarded.v1` records it. */
export type ForwardStep = { readonly reason: ForwardReason; readonly from: CallTarget; readonly to: CallTarget };

/**
 * Another user's phones ringing on the callee's behalf (`call.leg_added.v1`):
 * a team-call member or a delegate. `delayMs` 0: with the callee's phones;
 * otherwise added to the running fork that long after it started.
 */
export type ExtraLeg = {
  readonly reason: CallLegReason;
  readonly member: string;
  readonly targets: readonly ProxyTarget[];
  readonly delayMs: number;
};

/** A set of branches to proxy to, and what `call.routed.v1` says about it. */
export type Leg =
  | {
      readonly kind: 'user';
      readonly callee: RoutingUser;
      readonly route: UserRoute;
      /** Forked in parallel; each carries the no-answer timeout when the callee has one. */
      readonly targets: readonly ProxyTarget[];
      readonly noAnswer: { readonly afterSeconds: number; readonly target: CallTarget } | null;
      readonly busy: CallTarget | null;
      /** Team-call members and delegates; those with delay 0 are already in `targets`. */
      readonly extras: readonly ExtraLeg[];
    }
  | {
      readonly kind: 'pstn';
      readonly route: PstnRoute;
      /** The route's defined gateways in order: tried one after the other. */
      readonly targets: readonly ProxyTarget[];
    };

export type Refusal = { readonly status: number; readonly reason: string; readonly cause: CallEndCause };

/** Where a call goes: the forwards taken on the way (immediate, unreachable), then a leg or a refusal. */
export type Plan = {
  readonly forwards: readonly ForwardStep[];
  readonly outcome: { readonly kind: 'leg'; readonly leg: Leg } | ({ readonly kind: 'refuse' } & Refusal);
};

/** Most branches one fork may have: `call.routed.v1` lists at most 64 contacts. */
const MAX_BRANCHES = 64;

function refuse(status: number, reason: string, cause: CallEndCause, forwards: readonly ForwardStep[] = []): Plan {
  return { forwards, outcome: { kind: 'refuse', status, reason, cause } };
}

function withForward(step: ForwardStep, next: Plan): Plan {
  return { forwards: [step, ...next.forwards], outcome: next.outcome };
}

/** The URI a gateway is sent the number on (RFC 3261 §19.1.6 `user=phone`). */
export function gatewayUri(number: string, gateway: Gateway): string {
  const transport = gateway.transport === 'udp' ? '' : `;transport=${gateway.transport}`;
  return `sip:${number}@${gateway.address};user=phone${transport}`;
}

function contactTarget(ctx: PlanContext, binding: Binding): ProxyTarget {
  const nextHop = ctx.nextHopOf(binding);
  return nextHop ? { uri: binding.contact, nextHop } : { uri: binding.contact };
}

/**
 * The PSTN leg for `number` under `user`'s voice policy (the caller's, or the
 * forwarding user's for a forward to a number, as OCS does): least-cost routing
 * with `selectPstnRoute`, then the route's gateways that are defined.
 */
export function planPstn(ctx: PlanContext, user: RoutingUser, number: string): Plan {
  if (!user.enterpriseVoiceEnabled) return refuse(403, 'Not Enabled For Enterprise Voice', 'rejected');
  if (user.voicePolicy === null) return refuse(403, 'No Voice Policy', 'rejected');
  const policy = ctx.routing.voicePolicy(user.voicePolicy);
  if (policy === null) return refuse(403, 'Voice Policy Not Defined', 'rejected');
  const selection = selectPstnRoute(policy, ctx.routing.routes(), number);
  if (selection === null) return refuse(403, 'No PSTN Usage Allows This Number', 'rejected');
  const gateways = selection.gateways.flatMap((name) => ctx.routing.gateway(name) ?? []);
  const first = gateways[0];
  // A route naming only gateways that are not defined (any more) is a configuration fault, not the caller's.
  if (first === undefined) return refuse(500, 'No Gateway Defined For Route', 'failed');
  const route: PstnRoute = {
    kind: 'pstn',
    number,
    routeName: selection.route.name,
    gateway: first.name,
    gateways: gateways.map((g) => g.name),
    voicePolicy: policy.name,
    pstnUsage: selection.pstnUsage,
  };
  return { forwards: [], outcome: { kind: 'leg', leg: { kind: 'pstn', route, targets: gateways.map((g) => ({ uri: gatewayUri(number, g) })) } } };
}

/** Branches a user's call rings: their live contacts, then their simultaneous-ring targets. */
function userTargets(ctx: PlanContext, user: RoutingUser): ProxyTarget[] {
  const targets = ctx.location.liveContacts(user.sipUri, ctx.now).map((b) => contactTarget(ctx, b));
  for (const extra of user.voice.simultaneousRing) {
    const other = SipUriSchema.safeParse(extra).success ? ctx.routing.user(extra) : ctx.routing.userByNumber(extra);
    if (other !== null) {
      if (other.sipUri !== user.sipUri) targets.push(...ctx.location.liveContacts(other.sipUri, ctx.now).map((b) => contactTarget(ctx, b)));
      continue;
    }
    if (!extra.startsWith('tel:')) continue;
    // A mobile number rings through the first gateway of the callee's route: a parallel fork must not dial it twice.
    const pstn = planPstn(ctx, user, extra.slice('tel:'.length));
    if (pstn.outcome.kind === 'leg' && pstn.outcome.leg.targets[0]) targets.push(pstn.outcome.leg.targets[0]);
  }
  const seen = new Set<string>();
  return targets.filter((t) => !seen.has(t.uri) && (seen.add(t.uri), true)).slice(0, MAX_BRANCHES);
}

/**
 * The team-call members and delegates of `user` who can ring: provisioned,
 * with live contacts, not a party the call already reached (the caller above
 * all: a team member calling their boss does not ring themselves), each
 * member once, at the earliest time they are due (a delayed team member who
 * is also a delegate rings at once, as the delegate), contacts not already
 * ringing. As in OCS, team members
 * ring `ringAfterSeconds` after the user (0: together) and delegates with the
 * user; neither follows the member's own forwarding.
 */
function extraLegs(ctx: PlanContext, user: RoutingUser, visited: readonly string[], ringing: ReadonlySet<string>): ExtraLeg[] {
  const team = user.voice.teamCall;
  const wanted: { reason: CallLegReason; member: string; delayMs: number }[] = [
    ...team.members.map((member) => ({ reason: 'team_call' as const, member, delayMs: team.ringAfterSeconds * 1000 })),
    ...user.voice.delegates.map((member) => ({ reason: 'delegate' as const, member, delayMs: 0 })),
  ];
  const seen = new Set<string>([user.sipUri, ...visited]);
  const taken = new Set(ringing);
  const legs: ExtraLeg[] = [];
  for (const w of wanted.sort((a, b) => a.delayMs - b.delayMs)) {
    if (seen.has(w.member) || ctx.routing.user(w.member) === null) continue;
    seen.add(w.member);
    const targets = ctx.location
      .liveContacts(w.member, ctx.now)
      .map((b) => contactTarget(ctx, b))
      .filter((t) => !taken.has(t.uri) && (taken.add(t.uri), true));
    if (targets.length > 0) legs.push({ reason: w.reason, member: w.member, targets, delayMs: w.delayMs });
  }
  return legs;
}

/**
 * A call to a local user: immediate forwarding first; otherwise every live
 * contact and simultaneous-ring target rings, with the team-call members and
 * delegates (`extraLegs`), or, with none, the unreachable forward applies (480
 * without one). A user whose own phones are all offline still gets their team
 * rung, at once. `visited` holds every party the call has reached, so a
 * forward never loops back.
 *
 * With no-answer forwarding every branch rings at most `afterSeconds` from the
 * start of the call, so the forward is not held up by a member's phone; a
 * team delayed that long never rings.
 */
export function planUser(ctx: PlanContext, user: RoutingUser, visited: readonly string[]): Plan {
  const forwarding = user.voice.forwarding;
  if (forwarding.immediate !== null) return planForward(ctx, 'immediate', user, forwarding.immediate, visited);
  const own = userTargets(ctx, user);
  const noAnswer = forwarding.noAnswer;
  const limitMs = noAnswer === null ? undefined : noAnswer.afterSeconds * 1000;
  const extras = extraLegs(ctx, user, visited, new Set(own.map((t) => t.uri)))
    .map((leg) => (own.length === 0 ? { ...leg, delayMs: 0 } : leg))
    .filter((leg) => limitMs === undefined || leg.delayMs < limitMs)
    .map((leg) => (limitMs === undefined ? leg : { ...leg, targets: leg.targets.map((t) => ({ ...t, branchTimeoutMs: limitMs - leg.delayMs })) }));
  const timed = limitMs === undefined ? own : own.map((t) => ({ ...t, branchTimeoutMs: limitMs }));
  const targets = [...timed, ...extras.filter((leg) => leg.delayMs === 0).flatMap((leg) => leg.targets)].slice(0, MAX_BRANCHES);
  if (targets.length === 0) {
    if (forwarding.unreachable !== null) return planForward(ctx, 'unreachable', user, forwarding.unreachable, visited);
    return refuse(480, 'Temporarily Unavailable', 'unreachable');
  }
  const route: UserRoute = { kind: 'user', target: user.sipUri, contacts: targets.map((t) => t.uri) };
  return {
    forwards: [],
    outcome: { kind: 'leg', leg: { kind: 'user', callee: user, route, targets, noAnswer, busy: forwarding.busy, extras } },
  };
}

/** Where `from`'s forwarding to `to` leads: another user (with their own forwarding) or a number. */
export function planForward(ctx: PlanContext, reason: ForwardReason, from: RoutingUser, to: CallTarget, visited: readonly string[]): Plan {
  const step: ForwardStep = { reason, from: from.sipUri, to };
  const chain = [...visited, from.sipUri];
  if (chain.includes(to) || chain.length > MAX_FORWARDS) return refuse(482, 'Forwarding Loop', 'failed');
  const user = SipUriSchema.safeParse(to).success ? ctx.routing.user(to) : ctx.routing.userByNumber(to);
  if (user !== null) {
    if (chain.includes(user.sipUri)) return refuse(482, 'Forwarding Loop', 'failed');
    return withForward(step, planUser(ctx, user, [...chain, to]));
  }
  if (!to.startsWith('tel:')) return withForward(step, refuse(404, 'Not Found', 'no_route'));
  return withForward(step, planPstn(ctx, from, to.slice('tel:'.length)));
}

/** The plan for a call as dialled, from `resolveRoutingInput`'s answer. */
export function planDialled(ctx: PlanContext, input: Extract<RoutingInput, { kind: 'resolved' }>): Plan {
  if (input.callee !== null) return planUser(ctx, input.callee, [input.caller.sipUri]);
  // Two users hold the number: ringing either would be a guess (RFC 3261 §21.4.23).
  if (input.conflictingCallees.length > 0) return refuse(485, 'Ambiguous', 'no_route');
  const pstn = input.pstn;
  if (pstn.kind === 'unavailable') {
    switch (pstn.reason) {
      case 'not_a_phone_number':
        return refuse(404, 'Not Found', 'no_route');
      case 'voice_not_enabled':
        return refuse(403, 'Not Enabled For Enterprise Voice', 'rejected');
      case 'no_voice_policy':
        return refuse(403, 'No Voice Policy', 'rejected');
      case 'voice_policy_undefined':
        return refuse(403, 'Voice Policy Not Defined', 'rejected');
      default: {
        const never: never = pstn.reason;
        return never;
      }
    }
  }
  return planPstn(ctx, input.caller, pstn.number);
}
