import type { CallTarget, SipUri, TelUri } from '../../events/domain/primitives.ts';
import type { ForwardingSettings } from '../../events/domain/user-voice-events.ts';
import type { DialPlan, Gateway, PstnRoute, VoicePolicy } from '../../events/domain/voice-config-events.ts';
import { lineNumberKey } from './number-key.ts';

/** A user's per-user Enterprise Voice settings; each event replaces one part whole. */
export interface UserVoiceSettings {
  readonly forwarding: ForwardingSettings;
  readonly simultaneousRing: readonly CallTarget[];
  readonly delegates: readonly SipUri[];
  readonly teamCall: { readonly members: readonly SipUri[]; readonly ringAfterSeconds: number };
}

/** What the call router needs of a user: how to reach them and how their calls are routed. */
export interface RoutingUser {
  readonly sipUri: SipUri;
  readonly lineUri: TelUri | null;
  readonly enterpriseVoiceEnabled: boolean;
  readonly dialPlan: string | null;
  readonly voicePolicy: string | null;
  readonly voice: UserVoiceSettings;
}

/**
 * A dial plan with its rules' patterns compiled when the plan was applied,
 * in rule order. Compiling here means a pattern that does not compile stops
 * the view at the event that defined it, not at every call that dials.
 */
export interface CompiledDialPlan {
  readonly definition: DialPlan;
  readonly patterns: readonly RegExp[];
}

export interface CompiledPstnRoute {
  readonly definition: PstnRoute;
  readonly pattern: RegExp;
}

export interface RoutingState {
  readonly users: Map<string, RoutingUser>;
  /** Number key (see number-key.ts) → SIP URIs holding it, sorted. More than one is a conflict. */
  readonly usersByNumber: Map<string, readonly string[]>;
  readonly dialPlans: Map<string, CompiledDialPlan>;
  readonly voicePolicies: Map<string, VoicePolicy>;
  readonly pstnRoutes: Map<string, CompiledPstnRoute>;
  /** Every route in the order OCS tries them: priority, then name. Rebuilt when a route changes (rare). */
  routeOrder: readonly PstnRoute[];
  readonly gateways: Map<string, Gateway>;
}

export const NO_VOICE_SETTINGS: UserVoiceSettings = {
  forwarding: { immediate: null, noAnswer: null, busy: null, unreachable: null },
  simultaneousRing: [],
  delegates: [],
  teamCall: { members: [], ringAfterSeconds: 0 },
};

export function initialRoutingState(): RoutingState {
  return {
    users: new Map(),
    usersByNumber: new Map(),
    dialPlans: new Map(),
    voicePolicies: new Map(),
    pstnRoutes: new Map(),
    routeOrder: [],
    gateways: new Map(),
  };
}

/*
 * The mutations below are shared by the view's `apply` and the seed's `load`,
 * so a seeded state and a replayed one are built by the same code.
 */

function unindexNumber(state: RoutingState, user: RoutingUser): void {
  if (user.lineUri === null) return;
  const key = lineNumberKey(user.lineUri);
  const rest = (state.usersByNumber.get(key) ?? []).filter((u) => u !== user.sipUri);
  if (rest.length === 0) state.usersByNumber.delete(key);
  else state.usersByNumber.set(key, rest);
}

function indexNumber(state: RoutingState, user: RoutingUser): void {
  if (user.lineUri === null) return;
  const key = lineNumberKey(user.lineUri);
  const holders = [...(state.usersByNumber.get(key) ?? []), user.sipUri].sort();
  state.usersByNumber.set(key, holders);
}

export function putUser(state: RoutingState, user: RoutingUser): void {
  const previous = state.users.get(user.sipUri);
  if (previous) unindexNumber(state, previous);
  state.users.set(user.sipUri, user);
  indexNumber(state, user);
}

export function removeUser(state: RoutingState, sipUri: string): void {
  const previous = state.users.get(sipUri);
  if (!previous) return;
  unindexNumber(state, previous);
  state.users.delete(sipUri);
}

export function putDialPlan(state: RoutingState, definition: DialPlan): void {
  state.dialPlans.set(definition.name, { definition, patterns: definition.rules.map((r) => new RegExp(r.pattern)) });
}

function byPriorityThenName(a: PstnRoute, b: PstnRoute): number {
  return a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function reorderRoutes(state: RoutingState): void {
  state.routeOrder = [...state.pstnRoutes.values()].map((r) => r.definition).sort(byPriorityThenName);
}

/** Several at once (a seed) sort the route order once. */
export function putPstnRoutes(state: RoutingState, definitions: readonly PstnRoute[]): void {
  for (const definition of definitions)
    state.pstnRoutes.set(definition.name, { definition, pattern: new RegExp(definition.numberPattern) });
  reorderRoutes(state);
}

export function removePstnRoute(state: RoutingState, name: string): void {
  if (state.pstnRoutes.delete(name)) reorderRoutes(state);
}
