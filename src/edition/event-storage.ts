import type { Config } from '../config/config.ts';
import { domainCatalogue, type DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import { openEventStore } from '../events/store/open-event-store.ts';
import { PgliteEventStore } from '../events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../storage/pg-client.ts';
import { PgliteClient } from '../storage/pglite-client.ts';
import type { SqlClient } from '../storage/sql-client.ts';

/** The event log and the SQL database the read models live in. */
export interface EventStorage {
  readonly store: EventStore<DomainEvent>;
  readonly readModel: SqlClient;
  /** Closes the store, then the read-model client. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the log for `config.store` and the read-model SqlClient on the same
 * database:
 * - pglite: ONE PGlite instance serves both (a data directory cannot be opened
 *   twice), so the client is opened here and lent to the store;
 * - postgres: the store's pool and a second, smaller pool for the read models
 *   on the same DATABASE_URL;
 * - eventstoredb: the log is on the EventStoreDB server, which holds no tables;
 *   the read models go to PostgreSQL when DATABASE_URL is set, else to PGlite in
 *   CHORUS_DATA_DIR.
 * On failure whatever was opened is closed again.
 */
export async function openEventStorage(
  config: Pick<Config, 'store' | 'dataDir' | 'databaseUrl' | 'esdbUrl'>,
): Promise<EventStorage> {
  switch (config.store) {
    case 'pglite': {
      const client = await PgliteClient.open({ dataDir: config.dataDir });
      try {
        const store = await PgliteEventStore.open({ client, catalogue: domainCatalogue });
        return storage(store, client);
      } catch (error) {
        await client.close();
        throw error;
      }
    }
    case 'postgres': {
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required when CHORUS_STORE=postgres');
      const store = await PostgresEventStore.open({ connectionString: config.databaseUrl, catalogue: domainCatalogue });
      return storage(store, new PgClient({ connectionString: config.databaseUrl, max: 5, applicationName: 'chorus-read-models' }));
    }
    case 'eventstoredb': {
      const store = await openEventStore(config, domainCatalogue);
      try {
        const readModel = config.databaseUrl
          ? new PgClient({ connectionString: config.databaseUrl, max: 5, applicationName: 'chorus-read-models' })
          : await PgliteClient.open({ dataDir: config.dataDir });
        return storage(store, readModel);
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    default: {
      const unreachable: never = config.store;
      throw new Error(`unknown CHORUS_STORE ${String(unreachable)}`);
    }
  }
}

function storage(store: EventStore<DomainEvent>, readModel: SqlClient): EventStorage {
  let closing: Promise<void> | undefined;
  return {
    store,
    readModel,
    close() {
      // The store first: its appends drain before the (possibly shared) client goes away.
      closing ??= (async () => {
        try {
          await store.close();
        } finally {
          await readModel.close();
        }
      })();
      return closing;
    },
  };
}
