import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../../../../src/events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../../../../src/storage/pg-client.ts';
import { PgliteClient } from '../../../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../../../src/storage/sql-client.ts';

/**
 * The real SQL event log with the domain catalogue, in the read models' own
 * database (as test/support/projection-test-store.ts does for the test
 * catalogue). Call after the backend's reset; the store borrows `client`.
 */
export async function openDomainTestStore(client: SqlClient): Promise<EventStore<DomainEvent>> {
  if (client instanceof PgliteClient) return PgliteEventStore.open({ client, catalogue: domainCatalogue });
  if (client instanceof PgClient) return PostgresEventStore.open({ client, catalogue: domainCatalogue });
  throw new Error(`no event store for a ${client.dialect} client of an unknown class`);
}
