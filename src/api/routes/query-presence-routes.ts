import type { PresenceReader } from '../../projections/presence/presence-reader.ts';
import type { DirectoryReader } from '../../projections/directory/directory-reader.ts';
import {
  PRESENCE_PATH,
  PresenceBatchQuerySchema,
  PresenceBatchSchema,
  UserPresenceAnswerSchema,
  type PresenceBatch,
  type UserPresence,
} from '../contract/presence-query-contract.ts';
import { UserPathParamsSchema } from '../contract/users-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { notProvisioned, QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface QueryPresenceRoutesOptions {
  /** The presence view's reader (aggregates at the `now` it is given). */
  readonly presence: Pick<PresenceReader, 'presenceOf' | 'watchersOf'>;
  /** Who is provisioned: presence of anyone else is a 404, not an Offline that hides a typo. */
  readonly directory: Pick<DirectoryReader, 'user'>;
  /** The instant presence is evaluated at; expiries are compared with it. */
  readonly clock: () => Date;
}

/**
 * GET /users/{sipUri}/presence and GET /presence?users=…: aggregated presence
 * now, read from the in-memory presence view (what watchers are NOTIFYed
 * with), never from SQL.
 */
export function queryPresenceRoutes({ presence, directory, clock }: QueryPresenceRoutesOptions): ApiRoutePlugin {
  const presenceOf = (sipUri: string, now: string): UserPresence => ({
    sipUri,
    ...presence.presenceOf(sipUri, now),
    watchers: presence.watchersOf(sipUri, now).length,
  });

  return async (app) => {
    app.get(
      '/users/:sipUri/presence',
      {
        schema: {
          summary: "A user's aggregated presence now",
          description:
            'Availability, OCS code, activity and note as watchers see them, which rule decided (`source`) and the number of live watchers. 404 `not_provisioned` for a user the directory does not know.',
          tags: ['presence'],
          params: UserPathParamsSchema,
          response: { 200: UserPresenceAnswerSchema, ...QUERY_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { sipUri } = request.params;
        if (directory.user(sipUri) === null) return reply.code(404).send(notProvisioned(sipUri));
        const now = clock().toISOString();
        return { ...presenceOf(sipUri, now), asOf: now };
      },
    );

    app.get(
      PRESENCE_PATH,
      {
        schema: {
          summary: 'The aggregated presence of many users at once',
          description:
            'Users in the order asked, each once; addresses the directory does not know are listed under `unknown` instead of failing the whole request.',
          tags: ['presence'],
          querystring: PresenceBatchQuerySchema,
          response: { 200: PresenceBatchSchema, 400: QUERY_ERROR_RESPONSES[400], 401: QUERY_ERROR_RESPONSES[401] },
        },
      },
      async (request): Promise<PresenceBatch> => {
        const now = clock().toISOString();
        const answer: PresenceBatch = { asOf: now, users: [], unknown: [] };
        for (const sipUri of new Set(request.query.users)) {
          if (directory.user(sipUri) === null) answer.unknown.push(sipUri);
          else answer.users.push(presenceOf(sipUri, now));
        }
        return answer;
      },
    );
  };
}
