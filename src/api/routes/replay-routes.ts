import { whatIfRouting } from '../../compliance/what-if/what-if-routing.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { AsOfSnapshots, callAsOf, conferenceAsOf, foldWithoutSnapshots, routingFromFold, userAsOf } from '../../projections/as-of/index.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { ApiErrorSchema } from '../api-error.ts';
import {
  AtQuerySchema,
  REPLAY_CALLS_PATH,
  REPLAY_CONFERENCES_PATH,
  REPLAY_ROUTING_PATH,
  ReplayCallParamsSchema,
  ReplayCallResultSchema,
  ReplayConferenceParamsSchema,
  ReplayConferenceResultSchema,
  ReplayRoutingResultSchema,
  WHATIF_PATH,
  WhatIfRequestSchema,
  WhatIfResultSchema,
  type ReplayCallResult,
  type ReplayConferenceResult,
  type ReplayRoutingResult,
  type WhatIfResultBody,
} from '../contract/replay-as-of-contract.ts';
import { REPLAY_PATH, ReplayQuerySchema, ReplayResultSchema, type ReplayResult } from '../contract/replay-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';

export interface ReplayRoutesOptions {
  readonly store: EventStore<DomainEvent>;
  /**
   * Read-model database for as-of snapshots (table `as_of_snapshots`, kept
   * near the head in the background from the server's start, and caught up
   * by each query). Omitted: every as-of read scans the log.
   */
  readonly client?: SqlClient;
  /** Events between two snapshots. Default: AsOfSnapshots' own (100). */
  readonly snapshotInterval?: number;
}

const ERRORS = { 400: ApiErrorSchema, 401: ApiErrorSchema, 404: ApiErrorSchema } as const;

/**
 * As-of reads (GET /replay?user=&at=, /replay/conferences/{id}?at=,
 * /replay/calls/{callId}?at=, /replay/routing?at=) and what-if routing (POST
 * /whatif). Read-only, but they read the log, so they sit behind the admin
 * token like every other route.
 */
export function replayRoutes({ store, client, snapshotInterval }: ReplayRoutesOptions): ApiRoutePlugin {
  const snapshots = client ? new AsOfSnapshots({ store, client, ...(snapshotInterval === undefined ? {} : { interval: snapshotInterval }) }) : undefined;
  const foldAt = (at: string) => (snapshots ? snapshots.foldAt(at) : foldWithoutSnapshots(store, at));
  return async (app) => {
    if (snapshots) {
      let stop: (() => Promise<void>) | null = null;
      app.addHook('onReady', async () => {
        stop = snapshots.startBackground();
      });
      app.addHook('onClose', async () => {
        await stop?.();
      });
    }
    app.get(
      REPLAY_PATH,
      {
        schema: {
          summary: "A user's state rebuilt from the log as it was at an instant",
          tags: ['replay'],
          querystring: ReplayQuerySchema,
          response: { 200: ReplayResultSchema, ...ERRORS },
        },
      },
      async (request): Promise<ReplayResult> => {
        const { user, at } = ReplayQuerySchema.parse(request.query);
        const result = await userAsOf(store, user, at, snapshots ? { snapshots } : {});
        return { user: result.user, at: result.at, position: String(result.position), state: result.state };
      },
    );

    app.get(
      `${REPLAY_CONFERENCES_PATH}/:conferenceId`,
      {
        schema: {
          summary: "A conference's roster, lock and roles as they were at an instant",
          description: '404 `not_found_at_instant` when the conference was not scheduled by then.',
          tags: ['replay'],
          params: ReplayConferenceParamsSchema,
          querystring: AtQuerySchema,
          response: { 200: ReplayConferenceResultSchema, ...ERRORS },
        },
      },
      async (request): Promise<ReplayConferenceResult> => {
        const { conferenceId } = request.params;
        const { at } = request.query;
        const result = await conferenceAsOf(store, conferenceId, at);
        return { conferenceId: result.conferenceId, at, position: String(result.position), state: result.state };
      },
    );

    app.get(
      `${REPLAY_CALLS_PATH}/:callId`,
      {
        schema: {
          summary: 'A call (by SIP Call-ID): its legs and state as they were at an instant',
          description: '404 `not_found_at_instant` when the call was not initiated by then.',
          tags: ['replay'],
          params: ReplayCallParamsSchema,
          querystring: AtQuerySchema,
          response: { 200: ReplayCallResultSchema, ...ERRORS },
        },
      },
      async (request): Promise<ReplayCallResult> => {
        const result = await callAsOf(store, request.params.callId, request.query.at);
        return { sipCallId: result.sipCallId, at: result.at, position: String(result.position), state: result.state };
      },
    );

    app.get(
      REPLAY_ROUTING_PATH,
      {
        schema: {
          summary: 'The routing configuration (dial plans, policies, routes, gateways, per-user forwarding) at an instant',
          tags: ['replay'],
          querystring: AtQuerySchema,
          response: { 200: ReplayRoutingResultSchema, ...ERRORS },
        },
      },
      async (request): Promise<ReplayRoutingResult> => {
        const { at } = request.query;
        const result = routingFromFold(await foldAt(at), at);
        return { at, position: String(result.position), state: result.state };
      },
    );

    app.post(
      WHATIF_PATH,
      {
        schema: {
          summary: "A historical call's routing decision re-run: as of its time (checked against its events) and with the current or a proposed configuration",
          description:
            'Writes nothing. 404 `not_found_at_instant` for an unknown call; 400 for a malformed proposal (issue paths); 422 `unknown_user` when the proposal changes a user who did not exist at the call\'s time.',
          tags: ['replay'],
          body: WhatIfRequestSchema,
          response: { 200: WhatIfResultSchema, ...ERRORS, 422: ApiErrorSchema },
        },
      },
      async (request): Promise<WhatIfResultBody> => {
        const { sipCallId, config } = request.body;
        return whatIfRouting(store, sipCallId, { ...(snapshots ? { snapshots } : {}), ...(config === undefined ? {} : { proposal: config }) });
      },
    );
  };
}
