import { domainCatalogue, type DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventShape } from '../events/envelope.ts';
import type { EventStore } from '../events/event-store.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { DataKeyStore, type DataKeyStoreOptions } from './data-key-store.ts';
import { sealedCatalogue } from './sealed-catalogue.ts';
import { SealingEventStore } from './sealing-event-store.ts';

/** What a log adapter must be opened with so it accepts the domain's events with sealed personal fields. */
export const sealedDomainCatalogue = sealedCatalogue(domainCatalogue);

/**
 * The domain log over `inner` (opened with `sealedDomainCatalogue`), with the
 * data keys in `keyDatabase` (the log's own database for PGlite/PostgreSQL).
 * Closing the returned store closes `inner`; the key database is the caller's.
 */
export async function sealDomainStore(
  inner: EventStore<EventShape>,
  keyDatabase: SqlClient,
  options: DataKeyStoreOptions = {},
): Promise<SealingEventStore<DomainEvent>> {
  const keys = await DataKeyStore.open(keyDatabase, options);
  return new SealingEventStore({ inner, catalogue: domainCatalogue, keys });
}
