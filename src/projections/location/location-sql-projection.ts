import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { bulkDeleteSql, bulkUpsertSql, defineSqlProjection, writeBulk, type BulkRow, type BulkTable } from '../framework/index.ts';
import { LOCATION_EVENT_TYPES, type LocationEventType } from './location-event-types.ts';
import { LOCATION_SCHEMA, LOCATION_TABLES } from './location-tables.ts';

export const LOCATION_PROJECTION_NAME = 'location';

const BINDINGS: BulkTable = {
  name: 'location_bindings',
  columns: {
    endpoint_id: 'text',
    aor: 'text',
    contact: 'text',
    transport: 'text',
    source_address: 'text',
    instance_id: 'text',
    user_agent: 'text',
    expires_at: 'timestamptz',
    registered_at: 'timestamptz',
    refreshed_at: 'timestamptz',
  },
  key: ['endpoint_id'],
};

/** A registration writes the whole row. */
const UPSERT_REGISTERED = bulkUpsertSql(BINDINGS);

// A refresh carries no instance id: the row keeps the one it registered with,
// and its first registration instant. (A refresh of a binding never seen
// registers it, with no instance id, as the view does.)
const UPSERT_REFRESHED = bulkUpsertSql(BINDINGS, ['aor', 'contact', 'transport', 'source_address', 'user_agent', 'expires_at', 'refreshed_at']);

const DELETE_BINDINGS = bulkDeleteSql(BINDINGS);
const DELETE_AOR = /* sql */ `DELETE FROM location_bindings WHERE aor = $1`;

type BindingWrite =
  | { readonly kind: 'delete' }
  // registered: the whole row is known; refreshed: a refresh of a row the batch has not seen (it keeps what the table holds).
  | { readonly kind: 'registered' | 'refreshed'; readonly row: BulkRow };

/**
 * The location service as a table: AOR → bindings with their expiry, for the
 * API, the CLI and for seeding `locationView`. Same rules as the view.
 *
 * A batch is folded in memory (the last write per binding wins, a refresh
 * merged into what the batch already knows of the binding) and written with
 * one statement per kind of write. Deprovisioning deletes a whole AOR, rows
 * the batch may not have seen, so it is a barrier: what came before it is
 * written first.
 */
export const locationProjection = defineSqlProjection<DomainEvent, LocationEventType>({
  name: LOCATION_PROJECTION_NAME,
  version: 1,
  tables: LOCATION_TABLES,
  schema: LOCATION_SCHEMA,
  canHandle: LOCATION_EVENT_TYPES,
  async handle(events, tx) {
    let writes = new Map<string, BindingWrite>();
    for (const event of events) {
      switch (event.type) {
        case 'endpoint.registered.v1': {
          const d = event.data;
          writes.set(d.endpointId, {
            kind: 'registered',
            row: {
              endpoint_id: d.endpointId,
              aor: d.sipUri,
              contact: d.contact,
              transport: d.transport,
              source_address: d.sourceAddress,
              instance_id: d.instanceId,
              user_agent: d.userAgent,
              expires_at: d.expiresAt,
              registered_at: d.at,
              refreshed_at: null,
            },
          });
          break;
        }
        case 'endpoint.refreshed.v1': {
          const d = event.data;
          const before = writes.get(d.endpointId);
          const refreshed = {
            endpoint_id: d.endpointId,
            aor: d.sipUri,
            contact: d.contact,
            transport: d.transport,
            source_address: d.sourceAddress,
            user_agent: d.userAgent,
            expires_at: d.expiresAt,
            refreshed_at: d.at,
          };
          if (before === undefined) writes.set(d.endpointId, { kind: 'refreshed', row: { ...refreshed, instance_id: null, registered_at: d.at } });
          else if (before.kind === 'delete') writes.set(d.endpointId, { kind: 'registered', row: { ...refreshed, instance_id: null, registered_at: d.at } });
          else
            writes.set(d.endpointId, {
              kind: before.kind,
              row: { ...refreshed, instance_id: before.row['instance_id'], registered_at: before.row['registered_at'] },
            });
          break;
        }
        case 'endpoint.unregistered.v1':
        case 'endpoint.expired.v1':
          writes.set(event.data.endpointId, { kind: 'delete' });
          break;
        case 'directory.user_deprovisioned.v1':
          await writeBindings(tx, writes);
          writes = new Map();
          await tx.query(DELETE_AOR, [event.data.sipUri]);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`location projection cannot apply ${String(unreachable)}`);
        }
      }
    }
    await writeBindings(tx, writes);
  },
});

async function writeBindings(tx: SqlTransaction, writes: ReadonlyMap<string, BindingWrite>): Promise<void> {
  const deletes: BulkRow[] = [];
  const registered: BulkRow[] = [];
  const refreshed: BulkRow[] = [];
  for (const [endpointId, write] of writes) {
    if (write.kind === 'delete') deletes.push({ endpoint_id: endpointId });
    else (write.kind === 'registered' ? registered : refreshed).push(write.row);
  }
  await writeBulk(tx, DELETE_BINDINGS, deletes);
  await writeBulk(tx, UPSERT_REGISTERED, registered);
  await writeBulk(tx, UPSERT_REFRESHED, refreshed);
}
