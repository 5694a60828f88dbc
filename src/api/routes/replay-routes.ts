import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { userAsOf } from '../../projections/as-of/index.ts';
import { ApiErrorSchema } from '../api-error.ts';
import { REPLAY_PATH, ReplayQuerySchema, ReplayResultSchema, type ReplayResult } from '../contract/replay-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';

export interface ReplayRoutesOptions {
  readonly store: EventStore<DomainEvent>;
}

/**
 * GET /replay?user=&at=: a user's presence, registrations, forwarding and calls
 * as the log knew them at `at` (src/projections/as-of). Read-only, but it
 * scans the log, so it sits behind the admin token like every other route.
 */
export function replayRoutes({ store }: ReplayRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      REPLAY_PATH,
      {
        schema: {
          summary: "A user's state rebuilt from the log as it was at an instant",
          tags: ['replay'],
          querystring: ReplayQuerySchema,
          response: { 200: ReplayResultSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 404: ApiErrorSchema },
        },
      },
      async (request): Promise<ReplayResult> => {
        const { user, at } = ReplayQuerySchema.parse(request.query);
        const result = await userAsOf(store, user, at);
        return { user: result.user, at: result.at, position: String(result.position), state: result.state };
      },
    );
  };
}
