import { z } from 'zod';
import { ConfigNameSchema } from '../../events/domain/primitives.ts';
import {
  DialPlanSchema,
  GatewaySchema,
  NormalizationRuleSchema,
  PstnRouteSchema,
  VoicePolicySchema,
} from '../../events/domain/voice-config-events.ts';

function command<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data });
}

/** In commands a description may be left out; the event always spells it (null when absent). */
const description = z.string().max(1024).nullish();

const DialPlanInputSchema = DialPlanSchema.extend({
  description,
  rules: z.array(NormalizationRuleSchema.extend({ description })).min(1).max(200),
});
const VoicePolicyInputSchema = VoicePolicySchema.extend({ description });
const PstnRouteInputSchema = PstnRouteSchema.extend({ description });
const Remove = z.strictObject({ name: ConfigNameSchema });

export const DefineDialPlanSchema = command('DefineDialPlan', DialPlanInputSchema);
export const UpdateDialPlanSchema = command('UpdateDialPlan', DialPlanInputSchema);
export const RemoveDialPlanSchema = command('RemoveDialPlan', Remove);
export const DefineVoicePolicySchema = command('DefineVoicePolicy', VoicePolicyInputSchema);
export const UpdateVoicePolicySchema = command('UpdateVoicePolicy', VoicePolicyInputSchema);
export const RemoveVoicePolicySchema = command('RemoveVoicePolicy', Remove);
export const DefinePstnRouteSchema = command('DefinePstnRoute', PstnRouteInputSchema);
export const UpdatePstnRouteSchema = command('UpdatePstnRoute', PstnRouteInputSchema);
export const RemovePstnRouteSchema = command('RemovePstnRoute', Remove);
export const DefineGatewaySchema = command('DefineGateway', GatewaySchema);
export const UpdateGatewaySchema = command('UpdateGateway', GatewaySchema);
export const RemoveGatewaySchema = command('RemoveGateway', Remove);

export const VoiceConfigCommandSchema = z.discriminatedUnion('type', [
  DefineDialPlanSchema,
  UpdateDialPlanSchema,
  RemoveDialPlanSchema,
  DefineVoicePolicySchema,
  UpdateVoicePolicySchema,
  RemoveVoicePolicySchema,
  DefinePstnRouteSchema,
  UpdatePstnRouteSchema,
  RemovePstnRouteSchema,
  DefineGatewaySchema,
  UpdateGatewaySchema,
  RemoveGatewaySchema,
]);

export type VoiceConfigCommand = z.infer<typeof VoiceConfigCommandSchema>;
