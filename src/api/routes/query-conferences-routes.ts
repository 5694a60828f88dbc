import { conferenceRoster } from '../../projections/conference-roster/conference-roster.ts';
import { listConferences } from '../../projections/conference-roster/list-conferences.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import type { ApiErrorBody } from '../api-error.ts';
import { CONFERENCES_PATH } from '../contract/conference-contract.ts';
import {
  ConferencePathParamsSchema,
  ConferenceRosterSchema,
  ConferencesQuerySchema,
  ConferencesSchema,
  type ConferenceRosterBody,
  type Conferences,
} from '../contract/conference-query-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface QueryConferencesRoutesOptions {
  /** The read-model database holding the `conference_roster` projection. */
  readonly client: Pick<SqlClient, 'query' | 'transaction'>;
}

/** GET /conferences?state= and GET /conferences/{id}/roster, from the conference-roster SQL projection. */
export function queryConferencesRoutes({ client }: QueryConferencesRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      CONFERENCES_PATH,
      {
        schema: {
          summary: 'Conferences, with the size of their current roster',
          description: 'By start time; `state` keeps only scheduled, active or ended ones.',
          tags: ['conferences'],
          querystring: ConferencesQuerySchema,
          response: { 200: ConferencesSchema, 400: QUERY_ERROR_RESPONSES[400], 401: QUERY_ERROR_RESPONSES[401] },
        },
      },
      async (request): Promise<Conferences> => {
        const { state } = request.query;
        const listed = await listConferences(client, state === undefined ? {} : { state });
        return { conferences: listed };
      },
    );

    app.get(
      `${CONFERENCES_PATH}/:conferenceId/roster`,
      {
        schema: {
          summary: "A conference and who is in it or in its lobby now",
          description: 'Read in one snapshot. 404 `conference_not_found` for a conference never scheduled.',
          tags: ['conferences'],
          params: ConferencePathParamsSchema,
          response: { 200: ConferenceRosterSchema, ...QUERY_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { conferenceId } = request.params;
        const roster = await conferenceRoster(client, conferenceId);
        if (roster === null) {
          const body: ApiErrorBody = { error: 'conference_not_found', message: `no conference ${conferenceId}`, conferenceId };
          return reply.code(404).send(body);
        }
        const answer: ConferenceRosterBody = {
          conference: roster.conference,
          participants: [...roster.participants],
        };
        return answer;
      },
    );
  };
}
