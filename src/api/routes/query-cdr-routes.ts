import { cdrPage } from '../../projections/cdr/cdr-page.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { CDR_PATH, CdrPageSchema, CdrQuerySchema, encodeCdrCursor, type CdrPageBody } from '../contract/cdr-query-contract.ts';
import { DEFAULT_PAGE_LIMIT } from '../contract/page-query.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface QueryCdrRoutesOptions {
  /** The read-model database holding the `cdr` projection. */
  readonly client: Pick<SqlClient, 'query'>;
}

/** GET /cdr: call detail records of finished calls, conferences and IM sessions, a keyset page at a time. */
export function queryCdrRoutes({ client }: QueryCdrRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      CDR_PATH,
      {
        schema: {
          summary: 'A page of call detail records',
          description:
            'Finished calls, conferences or IM sessions (`kind`), oldest end first. Pass `next` as `after` for the following page; `next` is null on the last one. Records that end while paging appear on a later page, never twice.',
          tags: ['cdr'],
          querystring: CdrQuerySchema,
          response: { 200: CdrPageSchema, 400: QUERY_ERROR_RESPONSES[400], 401: QUERY_ERROR_RESPONSES[401] },
        },
      },
      async (request): Promise<CdrPageBody> => {
        const { kind, after, limit } = request.query;
        const page = await cdrPage(client, {
          kind,
          ...(after === undefined ? {} : { after: { endedAt: after.endedAt, id: after.id } }),
          limit: limit ?? DEFAULT_PAGE_LIMIT,
        });
        return {
          kind: page.kind,
          items: [...page.items],
          next: page.next === null ? null : encodeCdrCursor(kind, page.next),
        };
      },
    );
  };
}
