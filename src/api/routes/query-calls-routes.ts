import { activeCall } from '../../projections/active-calls/active-call.ts';
import type { ActiveCall } from '../../projections/active-calls/active-call-row.ts';
import { listActiveCalls } from '../../projections/active-calls/list-active-calls.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import type { ApiErrorBody } from '../api-error.ts';
import {
  ACTIVE_CALLS_PATH,
  ActiveCallPathParamsSchema,
  ActiveCallSchema,
  ActiveCallsSchema,
  type ActiveCallBody,
  type ActiveCalls,
} from '../contract/calls-query-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface QueryCallsRoutesOptions {
  /** The read-model database holding the `active_calls` projection. */
  readonly client: Pick<SqlClient, 'query'>;
}

/** The read model's value on the wire; the route's arrays are copied because the wire type is mutable. */
function activeCallBody(call: ActiveCall): ActiveCallBody {
  return { ...call, route: call.route && (call.route.kind === 'user' ? { ...call.route, contacts: [...call.route.contacts] } : { ...call.route }) };
}

/** GET /calls/active and GET /calls/active/{sipCallId}, from the `active_calls` SQL projection. */
export function queryCallsRoutes({ client }: QueryCallsRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      ACTIVE_CALLS_PATH,
      {
        schema: {
          summary: 'Calls in progress',
          description: 'Every call not yet ended, oldest first: state, parties, route, instants.',
          tags: ['calls'],
          response: { 200: ActiveCallsSchema, 401: QUERY_ERROR_RESPONSES[401] },
        },
      },
      async (): Promise<ActiveCalls> => ({ calls: (await listActiveCalls(client)).map(activeCallBody) }),
    );

    app.get(
      `${ACTIVE_CALLS_PATH}/:sipCallId`,
      {
        schema: {
          summary: 'One call in progress by its SIP Call-ID',
          description: '404 `call_not_found` for a call that never existed or has ended (its record is then in GET /cdr).',
          tags: ['calls'],
          params: ActiveCallPathParamsSchema,
          response: { 200: ActiveCallSchema, ...QUERY_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { sipCallId } = request.params;
        const call = await activeCall(client, sipCallId);
        if (call === null) {
          const body: ApiErrorBody = { error: 'call_not_found', message: `no call in progress with Call-ID ${sipCallId}`, sipCallId };
          return reply.code(404).send(body);
        }
        return activeCallBody(call);
      },
    );
  };
}
