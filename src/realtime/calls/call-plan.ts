import { MAX_FORWARDS } from '../../commands/call/call-decider.ts';
import { selectPstnRoute } from '../../commands/voice-config/select-pstn-route.ts';
import type { CallEndCause, CallRoute, ForwardReason } from '../../events/domain/call-events.ts';
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
 * A call to a local user: immediate forwarding first; otherwise every live
 * contact and simultaneous-ring target rings, or, with none, the unreachable
 * forward applies (480 without one). `visited` holds every party the call has
 * reached, so a forward never loops back.
 */
export function planUser(ctx: PlanContext, user: RoutingUser, visited: readonly string[]): Plan {
  const forwarding = user.voice.forwarding;
  if (forwarding.immediate !== null) return planForward(ctx, 'immediate', user, forwarding.immediate, visited);
  const targets = userTargets(ctx, user);
  if (targets.length === 0) {
    if (forwarding.unreachable !== null) return planForward(ctx, 'unreachable', user, forwarding.unreachable, visited);
    return refuse(480, 'Temporarily Unavailable', 'unreachable');
  }
  const noAnswer = forwarding.noAnswer;
  const timed = noAnswer === null ? targets : targets.map((t) => ({ ...t, branchTimeoutMs: noAnswer.afterSeconds * 1000 }));
  const route: UserRoute = { kind: 'user', target: user.sipUri, contacts: timed.map((t) => t.uri) };
  return { forwards: [], outcome: { kind: 'leg', leg: { kind: 'user', callee: user, route, targets: timed, noAnswer, busy: forwarding.busy } } };
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
