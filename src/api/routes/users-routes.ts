import type { CommandDispatcher } from '../../commands/dispatch/command-dispatcher.ts';
import { digestIdentity, setCredentialsFor } from '../../commands/dispatch/user-credentials.ts';
import type { UserCommand } from '../../commands/user/user-commands.ts';
import {
  AddUserRequestSchema,
  DeprovisionUserQuerySchema,
  SetPasswordRequestSchema,
  UpdateUserRequestSchema,
  USERS_PATH,
  UserCreatedSchema,
  UserPathParamsSchema,
} from '../contract/users-contract.ts';
import { WriteAcceptedSchema } from '../contract/write-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface UsersRoutesOptions {
  readonly dispatcher: CommandDispatcher;
}

/** Provisioning: create, change, retire a user, and set their SIP password. */
export function usersRoutes({ dispatcher }: UsersRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.post(
      USERS_PATH,
      {
        schema: {
          summary: 'Provision a user with a SIP password',
          description:
            'Writes directory.user_provisioned and directory.credentials_set in one append (digest HA1s, MD5 and SHA-256, realm = the user\'s domain). 409 `already_provisioned` when the user exists, 410 `deprovisioned` for a retired address.',
          tags: ['users'],
          body: AddUserRequestSchema,
          response: { 201: UserCreatedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const provision: UserCommand = {
          type: 'ProvisionUser',
          data: {
            sipUri: b.sipUri,
            displayName: b.displayName ?? digestIdentity(b.sipUri).user,
            lineUri: b.lineUri,
            enterpriseVoiceEnabled: b.enterpriseVoiceEnabled,
            dialPlan: b.dialPlan,
            voicePolicy: b.voicePolicy,
            maxEndpoints: b.maxEndpoints,
          },
        };
        const outcome = await dispatcher.user(b.sipUri, [provision, setCredentialsFor(b.sipUri, b.password)]);
        return reply.code(201).send({
          sipUri: b.sipUri,
          ...(b.lineUri === undefined ? {} : { lineUri: b.lineUri }),
          ...writeAccepted(outcome),
        });
      },
    );

    app.patch(
      `${USERS_PATH}/:sipUri`,
      {
        schema: {
          summary: "Change a user's directory entry",
          description: 'Omitted fields stay as they are; `null` clears an optional one. 404 `not_provisioned` for an unknown user.',
          tags: ['users'],
          params: UserPathParamsSchema,
          body: UpdateUserRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) =>
        writeAccepted(await dispatcher.user(request.params.sipUri, { type: 'UpdateUser', data: request.body })),
    );

    app.delete(
      `${USERS_PATH}/:sipUri`,
      {
        schema: {
          summary: 'Deprovision a user',
          description: 'The address is retired for good: it cannot register or be provisioned again.',
          tags: ['users'],
          params: UserPathParamsSchema,
          querystring: DeprovisionUserQuerySchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) =>
        writeAccepted(
          await dispatcher.user(request.params.sipUri, { type: 'DeprovisionUser', data: { reason: request.query.reason } }),
        ),
    );

    app.put(
      `${USERS_PATH}/:sipUri/credentials`,
      {
        schema: {
          summary: "Set a user's SIP password",
          description: 'Stores the digest HA1s (MD5 and SHA-256) for realm = the user\'s domain; the password itself is never written.',
          tags: ['users'],
          params: UserPathParamsSchema,
          body: SetPasswordRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) =>
        writeAccepted(
          await dispatcher.user(request.params.sipUri, setCredentialsFor(request.params.sipUri, request.body.password)),
        ),
    );
  };
}
