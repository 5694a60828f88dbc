import type { Config } from '../../config/config.ts';
import type { EventCatalogue } from '../catalogue.ts';
import type { EventShape } from '../envelope.ts';
import type { EventStore } from '../event-store.ts';
import type { FaultHooks } from '../fault-hooks.ts';
import { PgliteEventStore } from './pglite/pglite-event-store.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';

export interface OpenEventStoreOptions {
  readonly faultHooks?: FaultHooks;
}

/**
 * Opens the event log the configuration names, migrated and ready. The store
 * owns the connection it opens: `store.close()` releases it.
 */
export async function openEventStore<E extends EventShape>(
  config: Pick<Config, 'store' | 'dataDir' | 'databaseUrl' | 'esdbUrl'>,
  catalogue: EventCatalogue<E>,
  options: OpenEventStoreOptions = {},
): Promise<EventStore<E>> {
  const { faultHooks } = options;
  switch (config.store) {
    case 'pglite':
      return PgliteEventStore.open({ dataDir: config.dataDir, catalogue, faultHooks });
    case 'postgres':
      // loadConfig already refuses CHORUS_STORE=postgres without DATABASE_URL; this guards hand-built configs.
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required when CHORUS_STORE=postgres');
      return PostgresEventStore.open({ connectionString: config.databaseUrl, catalogue, faultHooks });
    case 'eventstoredb':
      if (!config.esdbUrl) throw new Error('ESDB_URL is required when CHORUS_STORE=eventstoredb');
      return connectEventStoreDb(config.esdbUrl, catalogue, faultHooks);
    default: {
      const unreachable: never = config.store;
      throw new Error(`unknown CHORUS_STORE ${String(unreachable)}`);
    }
  }
}

/** Loaded on demand so deployments on SQL never load the gRPC client. */
async function connectEventStoreDb<E extends EventShape>(
  connectionString: string,
  catalogue: EventCatalogue<E>,
  faultHooks: FaultHooks | undefined,
): Promise<EventStore<E>> {
  const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store.ts');
  return EventStoreDbEventStore.connect({ connectionString, catalogue, faultHooks });
}
