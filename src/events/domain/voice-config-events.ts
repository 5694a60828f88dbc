import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { ConfigNameSchema, HostPortSchema, IsoInstantSchema, PstnUsageSchema, uniqueList } from './primitives.ts';

/**
 * Enterprise Voice configuration: dial plans, voice policies, PSTN routes and
 * gateways. Each item lives in its own stream `voiceconfig-<kind>-<name>`.
 * A regular expression here is a JavaScript RegExp source without flags; the
 * deciders reject one that does not compile (`invalid_regex`).
 */

const description = z.string().max(1024).nullable();

export const NormalizationRuleSchema = z.strictObject({
  pattern: z.string().min(1).max(512),
  /** A String.prototype.replace replacement: `$1`…`$99`, `$<name>`, `$$`. */
  translation: z.string().max(512),
  description,
});
export type NormalizationRule = z.infer<typeof NormalizationRuleSchema>;

export const DialPlanSchema = z.strictObject({
  name: ConfigNameSchema,
  description,
  /** Tried in order; the first whose pattern matches translates the number. */
  rules: z.array(NormalizationRuleSchema).min(1).max(200),
});
export type DialPlan = z.infer<typeof DialPlanSchema>;

export const VoiceFeaturesSchema = z.strictObject({
  forwarding: z.boolean(),
  simultaneousRing: z.boolean(),
  delegation: z.boolean(),
  teamCall: z.boolean(),
  callPark: z.boolean(),
});
export type VoiceFeatures = z.infer<typeof VoiceFeaturesSchema>;

export const VoicePolicySchema = z.strictObject({
  name: ConfigNameSchema,
  description,
  /** Tried in order when routing a PSTN call; a user may reach only routes that list one of these. */
  pstnUsages: uniqueList(PstnUsageSchema, 'pstnUsages').max(64),
  features: VoiceFeaturesSchema,
});
export type VoicePolicy = z.infer<typeof VoicePolicySchema>;

export const PstnRouteSchema = z.strictObject({
  name: ConfigNameSchema,
  description,
  /**
   * Order among routes that share a usage: lower first, ties by name. Routes are
   * separate streams, so their order must be data, not the order of a list.
   */
  priority: z.number().int().min(0).max(1_000_000),
  /** Matched against the normalized (E.164) number. */
  numberPattern: z.string().min(1).max(512),
  pstnUsages: uniqueList(PstnUsageSchema, 'pstnUsages').min(1).max(64),
  /** Gateway names, tried in order. */
  gateways: uniqueList(ConfigNameSchema, 'gateways').min(1).max(16),
});
export type PstnRoute = z.infer<typeof PstnRouteSchema>;

export const GatewaySchema = z.strictObject({
  name: ConfigNameSchema,
  address: HostPortSchema,
  transport: z.enum(['udp', 'tcp', 'tls']),
});
export type Gateway = z.infer<typeof GatewaySchema>;

const removed = z.strictObject({ name: ConfigNameSchema, at: IsoInstantSchema });
const at = { at: IsoInstantSchema };

export const voiceConfigEvents = {
  'voice.dial_plan_defined.v1': DialPlanSchema.extend(at),
  'voice.dial_plan_updated.v1': DialPlanSchema.extend(at),
  'voice.dial_plan_removed.v1': removed,
  'voice.policy_defined.v1': VoicePolicySchema.extend(at),
  'voice.policy_updated.v1': VoicePolicySchema.extend(at),
  'voice.policy_removed.v1': removed,
  'voice.pstn_route_defined.v1': PstnRouteSchema.extend(at),
  'voice.pstn_route_updated.v1': PstnRouteSchema.extend(at),
  'voice.pstn_route_removed.v1': removed,
  'voice.gateway_defined.v1': GatewaySchema.extend(at),
  'voice.gateway_updated.v1': GatewaySchema.extend(at),
  'voice.gateway_removed.v1': removed,
} as const;

export type VoiceConfigEvent = EventsOf<typeof voiceConfigEvents>;
