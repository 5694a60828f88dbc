import { z } from 'zod';
import { ForwardingSettingsSchema } from '../../events/domain/user-voice-events.ts';
import { DialPlanSchema, GatewaySchema, PstnRouteSchema, VoicePolicySchema } from '../../events/domain/voice-config-events.ts';
import type { RoutingState } from '../routing/index.ts';
import type { AsOfFold } from './as-of-fold.ts';

/** The routing configuration at an instant: GET /replay/routing?at= and `chorus replay --routing`. */
export const RoutingAsOfStateSchema = z.object({
  dialPlans: z.array(DialPlanSchema),
  voicePolicies: z.array(VoicePolicySchema),
  /** In the order they are tried: priority, then name. */
  pstnRoutes: z.array(PstnRouteSchema),
  gateways: z.array(GatewaySchema),
  users: z.array(
    z.object({
      sipUri: z.string(),
      lineUri: z.string().nullable(),
      enterpriseVoiceEnabled: z.boolean(),
      dialPlan: z.string().nullable(),
      voicePolicy: z.string().nullable(),
      forwarding: ForwardingSettingsSchema,
      simultaneousRing: z.array(z.string()),
    }),
  ),
});
export type RoutingAsOfState = z.infer<typeof RoutingAsOfStateSchema>;

export interface RoutingAsOf {
  readonly at: string;
  /** Global position of the last event folded in (any as-of category). */
  readonly position: bigint;
  readonly state: RoutingAsOfState;
}

function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** The routing view's state as plain data, sorted by name (maps have insertion order, which is history, not meaning). */
export function describeRouting(state: RoutingState): RoutingAsOfState {
  return {
    dialPlans: sortedValues(state.dialPlans).map((p) => p.definition),
    voicePolicies: sortedValues(state.voicePolicies),
    pstnRoutes: [...state.routeOrder],
    gateways: sortedValues(state.gateways),
    users: sortedValues(state.users).map((u) => ({
      sipUri: u.sipUri,
      lineUri: u.lineUri,
      enterpriseVoiceEnabled: u.enterpriseVoiceEnabled,
      dialPlan: u.dialPlan,
      voicePolicy: u.voicePolicy,
      forwarding: u.voice.forwarding,
      simultaneousRing: [...u.voice.simultaneousRing],
    })),
  };
}

export function routingFromFold(fold: AsOfFold, at: string): RoutingAsOf {
  return { at, position: fold.position, state: describeRouting(fold.routing.state) };
}
