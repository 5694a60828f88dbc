import { unifiedTimeline } from '../../projections/audit-timeline/unified-timeline.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { DEFAULT_PAGE_LIMIT } from '../contract/page-query.ts';
import {
  UNIFIED_TIMELINE_PATH,
  UnifiedTimelinePageSchema,
  UnifiedTimelineWireQuerySchema,
  type UnifiedTimelinePageBody,
} from '../contract/unified-timeline-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface UnifiedTimelineRoutesOptions {
  /** The read-model database holding the `audit_timeline` projection (tables audit_timeline, audit_events). */
  readonly client: Pick<SqlClient, 'query'>;
}

/**
 * GET /timeline: IM sessions and messages, presence changes, registrations,
 * call legs and conference roster changes in one list ordered by log
 * position, for one user or for everyone in a time window, keyset-paged.
 */
export function unifiedTimelineRoutes({ client }: UnifiedTimelineRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      UNIFIED_TIMELINE_PATH,
      {
        schema: {
          summary: 'A page of the unified timeline (IM, presence, registrations, calls, conferences)',
          description:
            'Events in log order, each with its workload, a compact summary and every user it concerns. Give `user`, or a window `from`/`to` ([from, to) on occurredAt), or both; `workloads` narrows. Pass `next` as `after` for the following page; null on the last one.',
          tags: ['audit'],
          querystring: UnifiedTimelineWireQuerySchema,
          response: { 200: UnifiedTimelinePageSchema, 400: QUERY_ERROR_RESPONSES[400], 401: QUERY_ERROR_RESPONSES[401] },
        },
      },
      async (request): Promise<UnifiedTimelinePageBody> => {
        const { user, from, to, workloads, after, limit } = request.query;
        const page = await unifiedTimeline(client, {
          ...(user === undefined ? {} : { user }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(workloads === undefined ? {} : { workloads }),
          ...(after === undefined ? {} : { after }),
          limit: limit ?? DEFAULT_PAGE_LIMIT,
        });
        return {
          items: page.items.map((e) => ({ ...e, position: String(e.position), parties: e.parties.map((p) => ({ sipUri: p.sipUri, as: [...p.as] })) })),
          next: page.next === null ? null : String(page.next),
        };
      },
    );
  };
}
