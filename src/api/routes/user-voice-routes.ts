import type { CommandDispatcher, VoiceFeature } from '../../commands/dispatch/command-dispatcher.ts';
import type { UserCommand } from '../../commands/user/user-commands.ts';
import {
  SetDelegatesRequestSchema,
  SetForwardingRequestSchema,
  SetSimultaneousRingRequestSchema,
  SetTeamCallRequestSchema,
  USERS_PATH,
  UserPathParamsSchema,
} from '../contract/users-contract.ts';
import { WriteAcceptedSchema } from '../contract/write-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface UserVoiceRoutesOptions {
  readonly dispatcher: CommandDispatcher;
}

const FEATURE_REFUSALS =
  '409 `voice_not_enabled` without Enterprise Voice; 403 `feature_not_allowed` when the user\'s voice policy does not allow it; 422 `invalid_target` for the user\'s own address.';

/**
 * Per-user Enterprise Voice features. Each PUT carries the complete setting
 * (not a delta), as the events do; repeating it writes nothing.
 */
export function userVoiceRoutes({ dispatcher }: UserVoiceRoutesOptions): ApiRoutePlugin {
  const put = (sipUri: string, feature: VoiceFeature, command: UserCommand) =>
    dispatcher.userVoiceFeature(sipUri, feature, command).then(writeAccepted);

  return async (app) => {
    app.put(
      `${USERS_PATH}/:sipUri/forwarding`,
      {
        schema: {
          summary: 'Set call forwarding',
          description: `Immediate, no-answer, busy and unreachable forwarding; an omitted or null branch is off. ${FEATURE_REFUSALS}`,
          tags: ['voice'],
          params: UserPathParamsSchema,
          body: SetForwardingRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => put(request.params.sipUri, 'forwarding', { type: 'SetForwarding', data: request.body }),
    );

    app.put(
      `${USERS_PATH}/:sipUri/simultaneous-ring`,
      {
        schema: {
          summary: 'Set simultaneous ring targets',
          description: `\`[]\` turns simultaneous ring off. ${FEATURE_REFUSALS}`,
          tags: ['voice'],
          params: UserPathParamsSchema,
          body: SetSimultaneousRingRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => put(request.params.sipUri, 'simultaneousRing', { type: 'SetSimultaneousRing', data: request.body }),
    );

    app.put(
      `${USERS_PATH}/:sipUri/delegates`,
      {
        schema: {
          summary: 'Set call delegates',
          description: `Users who may answer and place calls for this user. ${FEATURE_REFUSALS}`,
          tags: ['voice'],
          params: UserPathParamsSchema,
          body: SetDelegatesRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => put(request.params.sipUri, 'delegation', { type: 'SetDelegates', data: request.body }),
    );

    app.put(
      `${USERS_PATH}/:sipUri/team-call`,
      {
        schema: {
          summary: 'Set the team-call group',
          description: `Members ring \`ringAfterSeconds\` after the user (default 0: together). ${FEATURE_REFUSALS}`,
          tags: ['voice'],
          params: UserPathParamsSchema,
          body: SetTeamCallRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => put(request.params.sipUri, 'teamCall', { type: 'SetTeamCall', data: request.body }),
    );
  };
}
