import { Readable } from 'node:stream';
import { z } from 'zod';
import { ExportFilterSchema } from '../../compliance/export-filter.ts';
import { exportLog } from '../../compliance/export-log.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { logger } from '../../logging/logger.ts';
import { ApiErrorSchema } from '../api-error.ts';
import { EXPORT_PATH, EXPORT_UP_TO_HEADER, ExportQuerySchema } from '../contract/export-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';

const log = logger('export');

export interface ExportRoutesOptions {
  /** The event log, read through the EventStore interface (decorators such as field encryption apply). */
  readonly store: EventStore<DomainEvent>;
}

const EXTENSIONS = { jsonl: 'jsonl', csv: 'csv', html: 'html' } as const;

/**
 * GET /export: a compliance export streamed as it is read from the log. The
 * query is validated before the first byte (a bad filter is a 400 and no
 * body); a failure once streaming has begun aborts the connection, so a
 * client never mistakes a truncated body for a whole export.
 */
export function exportRoutes({ store }: ExportRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      EXPORT_PATH,
      {
        schema: {
          summary: 'Compliance export of the log: JSONL, CSV or an HTML report',
          description: `A filtered replay of the log up to its head when the request arrived (given in the \`${EXPORT_UP_TO_HEADER}\` header). The same log and filter always give the same bytes. JSONL: one event per line, canonical key order. CSV: fixed columns. HTML: a self-contained timeline per user.`,
          tags: ['audit'],
          querystring: ExportQuerySchema,
          response: {
            // A stream, never serialised: the schema only documents it.
            200: z.unknown().describe('the export file (application/x-ndjson, text/csv or text/html)'),
            400: ApiErrorSchema,
            401: ApiErrorSchema,
          },
        },
      },
      async (request, reply) => {
        const { format, user, from, to, workloads } = request.query;
        const filter = ExportFilterSchema.parse({
          users: user === undefined ? [] : Array.isArray(user) ? user : [user],
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(workloads === undefined ? {} : { workloads }),
        });
        const started = Date.now();
        const run = await exportLog(store, { format, filter });
        async function* body(): AsyncGenerator<string> {
          try {
            yield* run.chunks;
            log.info({ format, users: filter.users.length, upTo: String(run.upTo), ms: Date.now() - started }, 'export streamed');
          } catch (error) {
            log.error({ err: error, format }, 'export failed while streaming: connection aborted');
            throw error;
          }
        }
        return reply
          .header('content-type', run.contentType)
          .header('content-disposition', `attachment; filename="chorus-export.${EXTENSIONS[format]}"`)
          .header(EXPORT_UP_TO_HEADER, String(run.upTo))
          .header('cache-control', 'no-store')
          .send(Readable.from(body()));
      },
    );
  };
}
