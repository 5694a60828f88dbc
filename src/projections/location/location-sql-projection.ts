import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { defineSqlProjection } from '../framework/index.ts';
import { LOCATION_EVENT_TYPES, type LocationEventType } from './location-event-types.ts';
import { LOCATION_SCHEMA, LOCATION_TABLES } from './location-tables.ts';

export const LOCATION_PROJECTION_NAME = 'location';

const UPSERT_REGISTERED = /* sql */ `
INSERT INTO location_bindings
  (endpoint_id, aor, contact, transport, source_address, instance_id, user_agent, expires_at, registered_at, refreshed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)
ON CONFLICT (endpoint_id) DO UPDATE SET
  aor = EXCLUDED.aor, contact = EXCLUDED.contact, transport = EXCLUDED.transport, source_address = EXCLUDED.source_address,
  instance_id = EXCLUDED.instance_id, user_agent = EXCLUDED.user_agent, expires_at = EXCLUDED.expires_at,
  registered_at = EXCLUDED.registered_at, refreshed_at = NULL`;

// A refresh carries no instance id: the row keeps the one it registered with,
// and its first registration instant. (A refresh of a binding never seen
// registers it, with no instance id, as the view does.)
const UPSERT_REFRESHED = /* sql */ `
INSERT INTO location_bindings
  (endpoint_id, aor, contact, transport, source_address, instance_id, user_agent, expires_at, registered_at, refreshed_at)
VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $8)
ON CONFLICT (endpoint_id) DO UPDATE SET
  aor = EXCLUDED.aor, contact = EXCLUDED.contact, transport = EXCLUDED.transport, source_address = EXCLUDED.source_address,
  user_agent = EXCLUDED.user_agent, expires_at = EXCLUDED.expires_at, refreshed_at = EXCLUDED.refreshed_at`;

const DELETE_BINDING = /* sql */ `DELETE FROM location_bindings WHERE endpoint_id = $1`;
const DELETE_AOR = /* sql */ `DELETE FROM location_bindings WHERE aor = $1`;

/**
 * The location service as a table: AOR → bindings with their expiry, for the
 * API, the CLI and for seeding `locationView`. Same rules as the view.
 */
export const locationProjection = defineSqlProjection<DomainEvent, LocationEventType>({
  name: LOCATION_PROJECTION_NAME,
  version: 1,
  tables: LOCATION_TABLES,
  schema: LOCATION_SCHEMA,
  canHandle: LOCATION_EVENT_TYPES,
  async handle(events, tx) {
    for (const event of events) {
      switch (event.type) {
        case 'endpoint.registered.v1': {
          const d = event.data;
          await tx.query(UPSERT_REGISTERED, [
            d.endpointId, d.sipUri, d.contact, d.transport, d.sourceAddress, d.instanceId, d.userAgent, d.expiresAt, d.at,
          ]);
          break;
        }
        case 'endpoint.refreshed.v1': {
          const d = event.data;
          await tx.query(UPSERT_REFRESHED, [d.endpointId, d.sipUri, d.contact, d.transport, d.sourceAddress, d.userAgent, d.expiresAt, d.at]);
          break;
        }
        case 'endpoint.unregistered.v1':
        case 'endpoint.expired.v1':
          await tx.query(DELETE_BINDING, [event.data.endpointId]);
          break;
        case 'directory.user_deprovisioned.v1':
          await tx.query(DELETE_AOR, [event.data.sipUri]);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`location projection cannot apply ${String(unreachable)}`);
        }
      }
    }
  },
});
