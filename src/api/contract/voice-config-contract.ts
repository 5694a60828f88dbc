import { z } from 'zod';
import {
  DefineDialPlanSchema,
  DefineGatewaySchema,
  DefinePstnRouteSchema,
  DefineVoicePolicySchema,
} from '../../commands/voice-config/voice-config-commands.ts';
import type { VoiceConfigKind } from '../../commands/stream-ids.ts';
import { ConfigNameSchema } from '../../events/domain/primitives.ts';

/**
 * Enterprise Voice configuration: `PUT /voice/<collection>/{name}` defines the
 * item or replaces its definition (201 when it was created, 200 otherwise);
 * `DELETE` removes it (404 when it is not defined). The name comes from the
 * path only.
 */
export const VOICE_CONFIG_PATH = '/voice';

export const VOICE_CONFIG_COLLECTIONS = {
  dialplan: 'dial-plans',
  voicepolicy: 'policies',
  pstnroute: 'pstn-routes',
  gateway: 'gateways',
} as const satisfies Record<VoiceConfigKind, string>;

export function voiceConfigPath(kind: VoiceConfigKind, name: string): string {
  return `${VOICE_CONFIG_PATH}/${VOICE_CONFIG_COLLECTIONS[kind]}/${encodeURIComponent(name)}`;
}

export const VoiceConfigPathParamsSchema = z.object({ name: ConfigNameSchema });

export const PutDialPlanRequestSchema = DefineDialPlanSchema.shape.data.omit({ name: true });
export const PutVoicePolicyRequestSchema = DefineVoicePolicySchema.shape.data.omit({ name: true });
export const PutPstnRouteRequestSchema = DefinePstnRouteSchema.shape.data.omit({ name: true });
export const PutGatewayRequestSchema = DefineGatewaySchema.shape.data.omit({ name: true });
export type PutDialPlanRequest = z.infer<typeof PutDialPlanRequestSchema>;
export type PutVoicePolicyRequest = z.infer<typeof PutVoicePolicyRequestSchema>;
export type PutPstnRouteRequest = z.infer<typeof PutPstnRouteRequestSchema>;
export type PutGatewayRequest = z.infer<typeof PutGatewayRequestSchema>;
