import type { CommandDispatcher } from '../../commands/dispatch/command-dispatcher.ts';
import { SetPresenceRequestSchema, USERS_PATH, UserPathParamsSchema } from '../contract/users-contract.ts';
import { WriteAcceptedSchema } from '../contract/write-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface UserPresenceRoutesOptions {
  readonly dispatcher: CommandDispatcher;
}

/** The presence state a user (or an administrator for them) chose: it wins over what endpoints publish until cleared. */
export function userPresenceRoutes({ dispatcher }: UserPresenceRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.put(
      `${USERS_PATH}/:sipUri/presence`,
      {
        schema: {
          summary: "Set a user's presence state",
          description: '`availability` by name (`busy`) or OCS code (6500); `until` makes it lapse (422 `invalid_until` if not in the future).',
          tags: ['presence'],
          params: UserPathParamsSchema,
          body: SetPresenceRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) =>
        writeAccepted(await dispatcher.user(request.params.sipUri, { type: 'SetUserState', data: request.body })),
    );

    app.delete(
      `${USERS_PATH}/:sipUri/presence`,
      {
        schema: {
          summary: "Clear a user's chosen presence state",
          description: 'Presence goes back to what the endpoints publish. Clearing a state that is not set writes nothing.',
          tags: ['presence'],
          params: UserPathParamsSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => writeAccepted(await dispatcher.user(request.params.sipUri, { type: 'ClearUserState', data: {} })),
    );
  };
}
