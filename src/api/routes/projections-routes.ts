import { z } from 'zod';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { Logger } from '../../logging/logger.ts';
import { UnknownProjectionError, type ProjectionManager, type RebuildProgress } from '../../projections/framework/index.ts';
import { ApiErrorSchema, type ApiErrorBody } from '../api-error.ts';
import {
  PROJECTIONS_PATH,
  ProjectionNameSchema,
  ProjectionRebuildAcceptedSchema,
  ProjectionsStatusSchema,
  type ProjectionStatus,
  type ProjectionsStatus,
} from '../contract/projections-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';

export interface ProjectionsRoutesOptions {
  readonly manager: ProjectionManager<DomainEvent>;
  /** Head of the log, for `headPosition`. */
  readonly headPosition: () => Promise<bigint>;
  readonly log: Logger;
}

/** The last rebuild started through the API, per projection, so its progress shows in GET /projections. */
interface RebuildRecord {
  state: 'running' | 'done' | 'failed';
  progress: RebuildProgress | null;
  error: string | null;
}

function rebuildBody(record: RebuildRecord): Record<string, unknown> {
  return {
    state: record.state,
    ...(record.progress
      ? {
          position: String(record.progress.position),
          head: String(record.progress.head),
          eventsPerSecond: Math.round(record.progress.eventsPerSecond),
          etaSeconds: record.progress.etaSeconds,
        }
      : {}),
    ...(record.error === null ? {} : { error: record.error }),
  };
}

/**
 * GET /projections and POST /projections/{name}/rebuild on the edition's
 * ProjectionManager. A rebuild runs in the background (202 at once); its
 * progress appears under `rebuild` in GET /projections, and the projection's
 * `status` is `rebuilding` until it reaches the head.
 */
export function projectionsRoutes({ manager, headPosition, log }: ProjectionsRoutesOptions): ApiRoutePlugin {
  const rebuilds = new Map<string, RebuildRecord>();

  return async (app) => {
    app.get(
      PROJECTIONS_PATH,
      {
        schema: {
          summary: 'Where each projection and view stands against the head of the log',
          tags: ['projections'],
          response: { 200: ProjectionsStatusSchema, 401: ApiErrorSchema },
        },
      },
      async (): Promise<ProjectionsStatus> => {
        const [head, statuses] = await Promise.all([headPosition(), manager.status()]);
        const projections = statuses.map((s): ProjectionStatus => {
          const record = rebuilds.get(s.name);
          return {
            name: s.name,
            status: s.state,
            position: String(s.position),
            lag: Number(s.lag),
            kind: s.kind,
            version: s.version,
            ...(s.error === undefined ? {} : { error: s.error }),
            ...(record ? { rebuild: rebuildBody(record) } : {}),
          };
        });
        return { headPosition: String(head), projections };
      },
    );

    app.post(
      `${PROJECTIONS_PATH}/:name/rebuild`,
      {
        schema: {
          summary: 'Rebuild a SQL projection from position 0',
          description:
            'Drops and recreates its tables and replays the whole log in the background; 202 at once. 404 `unknown_projection` for a name that is not a SQL projection (in-memory views are rebuilt by a restart).',
          tags: ['projections'],
          params: z.object({ name: ProjectionNameSchema }),
          response: { 202: ProjectionRebuildAcceptedSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 404: ApiErrorSchema },
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        try {
          manager.runner(name);
        } catch (error) {
          if (!(error instanceof UnknownProjectionError)) throw error;
          const body: ApiErrorBody = { error: error.code, message: `no SQL projection named ${name}` };
          return reply.code(404).send(body);
        }
        const record: RebuildRecord = { state: 'running', progress: null, error: null };
        rebuilds.set(name, record);
        log.info({ projection: name }, 'rebuild requested');
        manager
          .rebuild(name, (progress) => {
            record.progress = progress;
          })
          .then(
            () => {
              record.state = 'done';
              log.info({ projection: name }, 'rebuild finished');
            },
            (error: unknown) => {
              record.state = 'failed';
              record.error = error instanceof Error ? error.message : String(error);
              log.error({ err: error, projection: name }, 'rebuild failed');
            },
          );
        return reply.code(202).send({ name, status: 'rebuilding' });
      },
    );
  };
}
