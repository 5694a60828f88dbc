import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../../../../src/events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../../../../src/storage/pg-client.ts';
import { PgliteClient } from '../../../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../../../src/storage/sql-client.ts';
import { streamOf, toNew } from './domain-event-fixtures.ts';

/**
 * The real SQL event log with the domain catalogue, in the read models' own
 * database (as test/support/projection-test-store.ts does for the test
 * catalogue). Borrows `client`; open it after the backend's reset.
 */
export async function openDomainEventStore(client: SqlClient): Promise<EventStore<DomainEvent>> {
  if (client instanceof PgliteClient) return PgliteEventStore.open({ client, catalogue: domainCatalogue });
  if (client instanceof PgClient) return PostgresEventStore.open({ client, catalogue: domainCatalogue });
  throw new Error(`no event store for a ${client.dialect} client of an unknown class`);
}

/** Appends each event to its domain stream (one append each, as separate commands would); returns the last position. */
export async function appendAll(store: EventStore<DomainEvent>, events: readonly DomainEvent[]): Promise<bigint> {
  let last = 0n;
  for (const e of events) last = (await store.append(streamOf(e), [toNew(e)], { expectedVersion: 'any' })).positions.at(-1)!;
  return last;
}
