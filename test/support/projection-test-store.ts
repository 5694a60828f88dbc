import type { EventCatalogue } from '../../src/events/catalogue.ts';
import { domainCatalogue, type DomainEvent } from '../../src/events/domain/domain-catalogue.ts';
import type { EventShape } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/event-store.ts';
import { PgliteEventStore } from '../../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../../src/events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../../src/storage/pg-client.ts';
import { PgliteClient } from '../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../src/storage/sql-client.ts';
import { testCatalogue, type TestEvent } from '../contract/test-catalogue.ts';

/**
 * The real SQL event log in the read models' own database (as the embedded
 * edition runs it: one PGlite for log and projections; on PostgreSQL one
 * database for both). The store borrows `client` and does not close it.
 * Call after the backend's reset: the reset drops the log's tables too, and
 * opening migrates them back.
 */
export async function openSqlEventStore<E extends EventShape>(client: SqlClient, catalogue: EventCatalogue<E>): Promise<EventStore<E>> {
  if (client instanceof PgliteClient) return PgliteEventStore.open({ client, catalogue });
  if (client instanceof PgClient) return PostgresEventStore.open({ client, catalogue });
  throw new Error(`no event store for a ${client.dialect} client of an unknown class`);
}

/** The SQL event log with the framework tests' own catalogue (see `openSqlEventStore`). */
export function openTestEventStore(client: SqlClient): Promise<EventStore<TestEvent>> {
  return openSqlEventStore(client, testCatalogue);
}

/** The SQL event log with the domain catalogue, for the domain read models' tests (see `openSqlEventStore`). */
export function openDomainEventStore(client: SqlClient): Promise<EventStore<DomainEvent>> {
  return openSqlEventStore(client, domainCatalogue);
}
