import type { z } from 'zod';
import type { CommandDispatcher } from '../../commands/dispatch/command-dispatcher.ts';
import type { VoiceConfigKind } from '../../commands/stream-ids.ts';
import type { VoiceConfigCommand } from '../../commands/voice-config/voice-config-commands.ts';
import {
  PutDialPlanRequestSchema,
  PutGatewayRequestSchema,
  PutPstnRouteRequestSchema,
  PutVoicePolicyRequestSchema,
  VOICE_CONFIG_COLLECTIONS,
  VOICE_CONFIG_PATH,
  VoiceConfigPathParamsSchema,
} from '../contract/voice-config-contract.ts';
import { WriteAcceptedSchema } from '../contract/write-contract.ts';
import type { ApiRoutePlugin, ApiServer } from '../http-server.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface VoiceConfigRoutesOptions {
  readonly dispatcher: CommandDispatcher;
}

/** The define / update / remove commands of one kind of item, built from the path's name and the body. */
interface KindCommands<B> {
  readonly kind: VoiceConfigKind;
  /** Singular, for summaries: "dial plan". */
  readonly label: string;
  readonly body: z.ZodType<B>;
  define(name: string, body: B): VoiceConfigCommand;
  update(name: string, body: B): VoiceConfigCommand;
  remove(name: string): VoiceConfigCommand;
}

const DIAL_PLAN: KindCommands<z.infer<typeof PutDialPlanRequestSchema>> = {
  kind: 'dialplan',
  label: 'dial plan',
  body: PutDialPlanRequestSchema,
  define: (name, body) => ({ type: 'DefineDialPlan', data: { ...body, name } }),
  update: (name, body) => ({ type: 'UpdateDialPlan', data: { ...body, name } }),
  remove: (name) => ({ type: 'RemoveDialPlan', data: { name } }),
};

const VOICE_POLICY: KindCommands<z.infer<typeof PutVoicePolicyRequestSchema>> = {
  kind: 'voicepolicy',
  label: 'voice policy',
  body: PutVoicePolicyRequestSchema,
  define: (name, body) => ({ type: 'DefineVoicePolicy', data: { ...body, name } }),
  update: (name, body) => ({ type: 'UpdateVoicePolicy', data: { ...body, name } }),
  remove: (name) => ({ type: 'RemoveVoicePolicy', data: { name } }),
};

const PSTN_ROUTE: KindCommands<z.infer<typeof PutPstnRouteRequestSchema>> = {
  kind: 'pstnroute',
  label: 'PSTN route',
  body: PutPstnRouteRequestSchema,
  define: (name, body) => ({ type: 'DefinePstnRoute', data: { ...body, name } }),
  update: (name, body) => ({ type: 'UpdatePstnRoute', data: { ...body, name } }),
  remove: (name) => ({ type: 'RemovePstnRoute', data: { name } }),
};

const GATEWAY: KindCommands<z.infer<typeof PutGatewayRequestSchema>> = {
  kind: 'gateway',
  label: 'gateway',
  body: PutGatewayRequestSchema,
  define: (name, body) => ({ type: 'DefineGateway', data: { ...body, name } }),
  update: (name, body) => ({ type: 'UpdateGateway', data: { ...body, name } }),
  remove: (name) => ({ type: 'RemoveGateway', data: { name } }),
};

function registerKind<B>(app: ApiServer, dispatcher: CommandDispatcher, k: KindCommands<B>): void {
  const path = `${VOICE_CONFIG_PATH}/${VOICE_CONFIG_COLLECTIONS[k.kind]}/:name`;

  app.put(
    path,
    {
      schema: {
        summary: `Define or replace a ${k.label}`,
        description: `201 when the ${k.label} was created, 200 when an existing definition was replaced (or already equal: nothing written). Patterns must compile (422 \`invalid_regex\`).`,
        tags: ['voice configuration'],
        params: VoiceConfigPathParamsSchema,
        body: k.body,
        response: { 200: WriteAcceptedSchema, 201: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const body = request.body as B;
      // Chosen on the state the handler reads, so a concurrent define turns this into an update, not a 409.
      const outcome = await dispatcher.voiceConfig(k.kind, name, (state) => [
        state.status === 'defined' ? k.update(name, body) : k.define(name, body),
      ]);
      const created = outcome.events.some((e) => e.type.endsWith('_defined.v1'));
      return reply.code(created ? 201 : 200).send(writeAccepted(outcome));
    },
  );

  app.delete(
    path,
    {
      schema: {
        summary: `Remove a ${k.label}`,
        description: `404 \`not_defined\` when no ${k.label} of that name is defined.`,
        tags: ['voice configuration'],
        params: VoiceConfigPathParamsSchema,
        response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
      },
    },
    async (request) => writeAccepted(await dispatcher.voiceConfig(k.kind, request.params.name, k.remove(request.params.name))),
  );
}

/** Dial plans, voice policies, PSTN routes and gateways: PUT and DELETE by name. */
export function voiceConfigRoutes({ dispatcher }: VoiceConfigRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    registerKind(app, dispatcher, DIAL_PLAN);
    registerKind(app, dispatcher, VOICE_POLICY);
    registerKind(app, dispatcher, PSTN_ROUTE);
    registerKind(app, dispatcher, GATEWAY);
  };
}
