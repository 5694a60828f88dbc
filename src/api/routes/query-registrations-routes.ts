import type { DirectoryReader } from '../../projections/directory/directory-reader.ts';
import type { LocationReader } from '../../projections/location/location-reader.ts';
import { UserRegistrationsSchema } from '../contract/registrations-query-contract.ts';
import { UserPathParamsSchema } from '../contract/users-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { notProvisioned, QUERY_ERROR_RESPONSES } from './query-answers.ts';

export interface QueryRegistrationsRoutesOptions {
  /** The location view's reader: the bindings the registrar and proxy use. */
  readonly location: Pick<LocationReader, 'liveContacts'>;
  readonly directory: Pick<DirectoryReader, 'user'>;
  /** Bindings that expired before this instant are not listed, even before the sweep writes their expiry. */
  readonly clock: () => Date;
}

/** GET /users/{sipUri}/registrations: the user's live bindings, from the in-memory location view. */
export function queryRegistrationsRoutes({ location, directory, clock }: QueryRegistrationsRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.get(
      '/users/:sipUri/registrations',
      {
        schema: {
          summary: "A user's live registrations",
          description:
            'Every binding live now, in ring order (oldest registration first): contact, transport, source address, instance id, user agent, expiry. 404 `not_provisioned` for a user the directory does not know.',
          tags: ['registrations'],
          params: UserPathParamsSchema,
          response: { 200: UserRegistrationsSchema, ...QUERY_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { sipUri } = request.params;
        if (directory.user(sipUri) === null) return reply.code(404).send(notProvisioned(sipUri));
        const now = clock().toISOString();
        const registrations = location.liveContacts(sipUri, now).map((b) => ({
          endpointId: b.endpointId,
          contact: b.contact,
          transport: b.transport,
          sourceAddress: b.sourceAddress,
          instanceId: b.instanceId,
          userAgent: b.userAgent,
          registeredAt: b.registeredAt,
          expiresAt: b.expiresAt,
        }));
        return { sipUri, asOf: now, registrations };
      },
    );
  };
}
