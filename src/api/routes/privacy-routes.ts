import {
  ForgetAcceptedSchema,
  PlaceLegalHoldRequestSchema,
  PrivacyPathParamsSchema,
  PrivacyStatusSchema,
  ReleaseLegalHoldQuerySchema,
} from '../contract/privacy-contract.ts';
import { USERS_PATH } from '../contract/users-contract.ts';
import { WriteAcceptedSchema } from '../contract/write-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import type { PrivacyService } from '../../privacy/privacy-service.ts';
import { ApiErrorSchema } from '../api-error.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface PrivacyRoutesOptions {
  readonly privacy: PrivacyService;
}

/** GDPR erasure by crypto-shredding and legal hold (docs/privacy.md). */
export function privacyRoutes({ privacy }: PrivacyRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.post(
      `${USERS_PATH}/:sipUri/forget`,
      {
        schema: {
          summary: "Forget a user: destroy the keys of their personal data",
          description:
            'Writes privacy.user_forgotten and destroys the user\'s data keys: IM bodies, display name, contacts, addresses, user agents and numbers in the log read as erased placeholders from then on (rebuild projections to erase them there too). The log itself is not rewritten. 409 `legal_hold` while a hold is in force (nothing is written), 404 `not_provisioned` for an unknown user.',
          tags: ['privacy'],
          params: PrivacyPathParamsSchema,
          response: { 200: ForgetAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => {
        const outcome = await privacy.forget(request.params.sipUri);
        return { ...writeAccepted(outcome), keysDestroyed: outcome.keysDestroyed };
      },
    );

    app.post(
      `${USERS_PATH}/:sipUri/legal-hold`,
      {
        schema: {
          summary: 'Place a legal hold on a user',
          description: 'While held, the user cannot be forgotten. Placing a hold on a held user changes nothing (`written: false`).',
          tags: ['privacy'],
          params: PrivacyPathParamsSchema,
          body: PlaceLegalHoldRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => writeAccepted(await privacy.placeHold(request.params.sipUri, request.body.reason)),
    );

    app.delete(
      `${USERS_PATH}/:sipUri/legal-hold`,
      {
        schema: {
          summary: "Release a user's legal hold",
          description: '409 `not_on_hold` when no hold is in force.',
          tags: ['privacy'],
          params: PrivacyPathParamsSchema,
          querystring: ReleaseLegalHoldQuerySchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => writeAccepted(await privacy.releaseHold(request.params.sipUri, request.query.reason)),
    );

    app.get(
      `${USERS_PATH}/:sipUri/legal-hold`,
      {
        schema: {
          summary: "A user's legal hold and erasure status",
          tags: ['privacy'],
          params: PrivacyPathParamsSchema,
          response: { 200: PrivacyStatusSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 404: ApiErrorSchema },
        },
      },
      async (request) => privacy.status(request.params.sipUri),
    );
  };
}
