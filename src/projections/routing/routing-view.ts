import { z } from 'zod';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { UserProfile } from '../../events/domain/directory-events.ts';
import { SipUriSchema, TelUriSchema, CallTargetSchema, ConfigNameSchema } from '../../events/domain/primitives.ts';
import { ForwardingSettingsSchema, NoAnswerSecondsSchema } from '../../events/domain/user-voice-events.ts';
import {
  DialPlanSchema,
  GatewaySchema,
  PstnRouteSchema,
  VoicePolicySchema,
  type NormalizationRule,
} from '../../events/domain/voice-config-events.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { defineInMemoryView, seedFromSqlProjection, type ViewSeed } from '../framework/index.ts';
import { ROUTING_EVENT_TYPES, ROUTING_PROJECTION, type RoutingProjectionEvent } from './routing-projection.ts';
import {
  SELECT_DIAL_PLAN_RULES,
  SELECT_DIAL_PLANS,
  SELECT_GATEWAYS,
  SELECT_PSTN_ROUTES,
  SELECT_USERS,
  SELECT_VOICE_POLICIES,
} from './routing-sql.ts';
import {
  initialRoutingState,
  NO_VOICE_SETTINGS,
  putDialPlan,
  putPstnRoutes,
  putUser,
  removePstnRoute,
  removeUser,
  type RoutingState,
  type RoutingUser,
  type UserVoiceSettings,
} from './routing-state.ts';

/** Unique among projections and views; the SQL projection is `routing`. */
export const ROUTING_VIEW = 'routing_view';

/**
 * What changed, for listeners: a user's SIP URI, or a configuration item as
 * `<kind>:<name>` (a SIP URI starts with `sip:`, so the two never collide).
 */
export type RoutingChangeKey =
  | `sip:${string}`
  | `dialplan:${string}`
  | `voicepolicy:${string}`
  | `pstnroute:${string}`
  | `gateway:${string}`;

function userKey(sipUri: string): RoutingChangeKey {
  return `sip:${sipUri.slice('sip:'.length)}`;
}

function profileUser(profile: Omit<UserProfile, 'displayName' | 'maxEndpoints'>, voice: UserVoiceSettings): RoutingUser {
  return {
    sipUri: profile.sipUri,
    lineUri: profile.lineUri,
    enterpriseVoiceEnabled: profile.enterpriseVoiceEnabled,
    dialPlan: profile.dialPlan,
    voicePolicy: profile.voicePolicy,
    voice,
  };
}

function existingUser(state: RoutingState, e: RecordedEvent<RoutingProjectionEvent> & { data: { sipUri: string } }): RoutingUser {
  const user = state.users.get(e.data.sipUri);
  // The user decider never writes a voice setting for an absent user: the log is corrupt, stop here.
  if (!user) throw new Error(`routing view: ${e.type} for unknown user ${e.data.sipUri} at position ${e.globalPosition}`);
  return user;
}

/**
 * The call router's routing data in memory, mirroring `routingProjection`
 * rule for rule (so `routingSeed` can load it from that projection's tables).
 * Dial plan and route patterns are compiled once, when their event is applied.
 */
export const routingView = defineInMemoryView<DomainEvent, RoutingState, RoutingChangeKey, RoutingProjectionEvent['type']>({
  name: ROUTING_VIEW,
  canHandle: ROUTING_EVENT_TYPES,
  initialState: initialRoutingState,
  apply(state, e) {
    switch (e.type) {
      case 'directory.user_provisioned.v1':
        putUser(state, profileUser(e.data, NO_VOICE_SETTINGS));
        return [userKey(e.data.sipUri)];
      case 'directory.user_updated.v1':
        putUser(state, profileUser(e.data, state.users.get(e.data.sipUri)?.voice ?? NO_VOICE_SETTINGS));
        return [userKey(e.data.sipUri)];
      case 'directory.user_deprovisioned.v1':
        removeUser(state, e.data.sipUri);
        return [userKey(e.data.sipUri)];
      case 'voice.forwarding_set.v1': {
        const user = existingUser(state, e);
        const { immediate, noAnswer, busy, unreachable } = e.data;
        putUser(state, { ...user, voice: { ...user.voice, forwarding: { immediate, noAnswer, busy, unreachable } } });
        return [userKey(e.data.sipUri)];
      }
      case 'voice.simultaneous_ring_set.v1': {
        const user = existingUser(state, e);
        putUser(state, { ...user, voice: { ...user.voice, simultaneousRing: e.data.targets } });
        return [userKey(e.data.sipUri)];
      }
      case 'voice.delegates_set.v1': {
        const user = existingUser(state, e);
        putUser(state, { ...user, voice: { ...user.voice, delegates: e.data.delegates } });
        return [userKey(e.data.sipUri)];
      }
      case 'voice.team_call_set.v1': {
        const user = existingUser(state, e);
        const teamCall = { members: e.data.members, ringAfterSeconds: e.data.ringAfterSeconds };
        putUser(state, { ...user, voice: { ...user.voice, teamCall } });
        return [userKey(e.data.sipUri)];
      }
      case 'voice.dial_plan_defined.v1':
      case 'voice.dial_plan_updated.v1': {
        const { at: _at, ...definition } = e.data;
        putDialPlan(state, definition);
        return [`dialplan:${definition.name}`];
      }
      case 'voice.dial_plan_removed.v1':
        state.dialPlans.delete(e.data.name);
        return [`dialplan:${e.data.name}`];
      case 'voice.policy_defined.v1':
      case 'voice.policy_updated.v1': {
        const { at: _at, ...definition } = e.data;
        state.voicePolicies.set(definition.name, definition);
        return [`voicepolicy:${definition.name}`];
      }
      case 'voice.policy_removed.v1':
        state.voicePolicies.delete(e.data.name);
        return [`voicepolicy:${e.data.name}`];
      case 'voice.pstn_route_defined.v1':
      case 'voice.pstn_route_updated.v1': {
        const { at: _at, ...definition } = e.data;
        putPstnRoutes(state, [definition]);
        return [`pstnroute:${definition.name}`];
      }
      case 'voice.pstn_route_removed.v1':
        removePstnRoute(state, e.data.name);
        return [`pstnroute:${e.data.name}`];
      case 'voice.gateway_defined.v1':
      case 'voice.gateway_updated.v1': {
        const { at: _at, ...definition } = e.data;
        state.gateways.set(definition.name, definition);
        return [`gateway:${definition.name}`];
      }
      case 'voice.gateway_removed.v1':
        state.gateways.delete(e.data.name);
        return [`gateway:${e.data.name}`];
      default: {
        const unreachable: never = e;
        throw new Error(`routing view: unhandled event ${JSON.stringify(unreachable)}`);
      }
    }
  },
});

// Rows are parsed with the events' own schemas: the view holds nothing an event could not have carried.
const NameList = z.array(z.string());

const UserRow = z.object({
  sip_uri: SipUriSchema,
  line_uri: TelUriSchema.nullable(),
  enterprise_voice_enabled: z.boolean(),
  dial_plan: ConfigNameSchema.nullable(),
  voice_policy: ConfigNameSchema.nullable(),
  forward_immediate: CallTargetSchema.nullable(),
  forward_no_answer_target: CallTargetSchema.nullable(),
  forward_no_answer_seconds: NoAnswerSecondsSchema.nullable(),
  forward_busy: CallTargetSchema.nullable(),
  forward_unreachable: CallTargetSchema.nullable(),
  simultaneous_ring: z.array(CallTargetSchema),
  delegates: z.array(SipUriSchema),
  team_members: z.array(SipUriSchema),
  team_ring_after_seconds: z.number().int(),
});

const DialPlanRow = z.object({ name: z.string(), description: z.string().nullable() });
const RuleRow = z.object({ dial_plan: z.string(), pattern: z.string(), translation: z.string(), description: z.string().nullable() });
const PolicyRow = z.object({
  name: z.string(),
  description: z.string().nullable(),
  pstn_usages: NameList,
  forwarding: z.boolean(),
  simultaneous_ring: z.boolean(),
  delegation: z.boolean(),
  team_call: z.boolean(),
  call_park: z.boolean(),
});
const RouteRow = z.object({
  name: z.string(),
  description: z.string().nullable(),
  priority: z.number().int(),
  number_pattern: z.string(),
  pstn_usages: NameList,
  gateways: NameList,
});

function userFromRow(r: z.infer<typeof UserRow>): RoutingUser {
  const noAnswer =
    r.forward_no_answer_target === null || r.forward_no_answer_seconds === null
      ? null
      : { afterSeconds: r.forward_no_answer_seconds, target: r.forward_no_answer_target };
  const forwarding = ForwardingSettingsSchema.parse({
    immediate: r.forward_immediate,
    noAnswer,
    busy: r.forward_busy,
    unreachable: r.forward_unreachable,
  });
  return {
    sipUri: r.sip_uri,
    lineUri: r.line_uri,
    enterpriseVoiceEnabled: r.enterprise_voice_enabled,
    dialPlan: r.dial_plan,
    voicePolicy: r.voice_policy,
    voice: {
      forwarding,
      simultaneousRing: r.simultaneous_ring,
      delegates: r.delegates,
      teamCall: { members: r.team_members, ringAfterSeconds: r.team_ring_after_seconds },
    },
  };
}

/** Builds from the `routing` tables exactly the state `routingView.apply` builds from the log. */
export async function loadRoutingState(tx: Pick<SqlTransaction, 'query'>): Promise<RoutingState> {
  const state = initialRoutingState();
  for (const raw of (await tx.query(SELECT_USERS)).rows) putUser(state, userFromRow(UserRow.parse(raw)));

  const rules = new Map<string, NormalizationRule[]>();
  for (const raw of (await tx.query(SELECT_DIAL_PLAN_RULES)).rows) {
    const r = RuleRow.parse(raw);
    const list = rules.get(r.dial_plan) ?? [];
    list.push({ pattern: r.pattern, translation: r.translation, description: r.description });
    rules.set(r.dial_plan, list);
  }
  for (const raw of (await tx.query(SELECT_DIAL_PLANS)).rows) {
    const r = DialPlanRow.parse(raw);
    putDialPlan(state, DialPlanSchema.parse({ name: r.name, description: r.description, rules: rules.get(r.name) ?? [] }));
  }

  for (const raw of (await tx.query(SELECT_VOICE_POLICIES)).rows) {
    const r = PolicyRow.parse(raw);
    const policy = VoicePolicySchema.parse({
      name: r.name,
      description: r.description,
      pstnUsages: r.pstn_usages,
      features: {
        forwarding: r.forwarding,
        simultaneousRing: r.simultaneous_ring,
        delegation: r.delegation,
        teamCall: r.team_call,
        callPark: r.call_park,
      },
    });
    state.voicePolicies.set(policy.name, policy);
  }

  const routes = (await tx.query(SELECT_PSTN_ROUTES)).rows.map((raw) => {
    const r = RouteRow.parse(raw);
    return PstnRouteSchema.parse({
      name: r.name,
      description: r.description,
      priority: r.priority,
      numberPattern: r.number_pattern,
      pstnUsages: r.pstn_usages,
      gateways: r.gateways,
    });
  });
  putPstnRoutes(state, routes);

  for (const raw of (await tx.query(SELECT_GATEWAYS)).rows) {
    const gateway = GatewaySchema.parse(raw);
    state.gateways.set(gateway.name, gateway);
  }
  return state;
}

/** Seeds `routingView` from the `routing` projection instead of replaying the log. */
export function routingSeed(client: SqlClient): ViewSeed<RoutingState> {
  return seedFromSqlProjection(client, ROUTING_PROJECTION, loadRoutingState);
}
