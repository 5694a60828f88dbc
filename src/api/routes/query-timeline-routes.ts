import { userTimeline } from '../../projections/audit-timeline/user-timeline.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { DEFAULT_PAGE_LIMIT } from '../contract/page-query.ts';
import { TimelinePageSchema, TimelineQuerySchema, type TimelinePageBody } from '../contract/timeline-query-contract.ts';
import { UserPathParamsSchema } from '../contract/users-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface QueryTimelineRoutesOptions {
  /** The read-model database holding the `audit_timeline` projection. */
  readonly client: Pick<SqlClient, 'query'>;
}

/**
 * GET /users/{sipUri}/timeline: the events that concerned a user, in log
 * order. No 404 for an address the directory does not know: an audit trail
 * outlives deprovisioning, and outside parties (a watcher, a caller) have one
 * too; an address nobody ever named has an empty one.
 */
export function queryTimelineRoutes({ client }: QueryTimelineRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      '/users/:sipUri/timeline',
      {
        schema: {
          summary: "A page of a user's audit timeline",
          description:
            'Every event that named the user or a call, conference or IM session they took part in, in log order, with a compact summary. Pass `next` as `after` for the following page; null on the last one.',
          tags: ['audit'],
          params: UserPathParamsSchema,
          querystring: TimelineQuerySchema,
          response: { 200: TimelinePageSchema, 400: QUERY_ERROR_RESPONSES[400], 401: QUERY_ERROR_RESPONSES[401] },
        },
      },
      async (request): Promise<TimelinePageBody> => {
        const { sipUri } = request.params;
        const { after, limit } = request.query;
        const page = await userTimeline(client, sipUri, { ...(after === undefined ? {} : { after }), limit: limit ?? DEFAULT_PAGE_LIMIT });
        return {
          sipUri,
          items: page.items.map((e) => ({ ...e, position: String(e.position) })),
          next: page.next === null ? null : String(page.next),
        };
      },
    );
  };
}
