import type { Config } from '../config/config.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventShape } from '../events/envelope.ts';
import type { EventStore } from '../events/event-store.ts';
import { openEventStore } from '../events/store/open-event-store.ts';
import { PgliteEventStore } from '../events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../storage/pg-client.ts';
import { PgliteClient } from '../storage/pglite-client.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { DataKeyStore } from '../privacy/data-key-store.ts';
import { sealDomainStore, sealedDomainCatalogue } from '../privacy/sealed-domain-store.ts';

/** The event log and the SQL database the read models live in. */
export interface EventStorage {
  readonly store: EventStore<DomainEvent>;
  /**
   * The same log AS STORED, personal fields sealed (no opening): what the Pool relay publishes, so
   * that destroying a key also shreds what Kafka holds (docs/pool.md). Closed with `store`.
   */
  readonly sealedLog: EventStore<EventShape>;
  readonly readModel: SqlClient;
  /** The data keys sealing personal fields (docs/privacy.md), in the read-model database (the log's own for PGlite/PostgreSQL). */
  readonly dataKeys: DataKeyStore;
  /** Closes the store, then the read-model client. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_READ_MODEL_CONNECTIONS = 5;

export interface OpenEventStorageOptions {
  /**
   * Size of the PostgreSQL read-model pool (ignored for PGlite). Default 5; the Pool's projector
   * role asks for one per projection, since each applies its batches in a transaction of its own.
   */
  readonly readModelConnections?: number;
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
  options: OpenEventStorageOptions = {},
): Promise<EventStorage> {
  const readModelConnections = options.readModelConnections ?? DEFAULT_READ_MODEL_CONNECTIONS;
  switch (config.store) {
    case 'pglite': {
      const client = await PgliteClient.open({ dataDir: config.dataDir });
      try {
        const store = await PgliteEventStore.open({ client, catalogue: sealedDomainCatalogue });
        return await storage(store, client);
      } catch (error) {
        await client.close();
        throw error;
      }
    }
    case 'postgres': {
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required when CHORUS_STORE=postgres');
      const store = await PostgresEventStore.open({ connectionString: config.databaseUrl, catalogue: sealedDomainCatalogue });
      return storage(store, new PgClient({ connectionString: config.databaseUrl, max: readModelConnections, applicationName: 'chorus-read-models' }));
    }
    case 'eventstoredb': {
      const store = await openEventStore(config, sealedDomainCatalogue);
      try {
        const readModel = config.databaseUrl
          ? new PgClient({ connectionString: config.databaseUrl, max: readModelConnections, applicationName: 'chorus-read-models' })
          : await PgliteClient.open({ dataDir: config.dataDir });
        return await storage(store, readModel);
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

/** Wraps the log in the sealing store (personal data encrypted, docs/privacy.md); on failure closes both. */
async function storage(inner: EventStore<EventShape>, readModel: SqlClient): Promise<EventStorage> {
  let store: EventStore<DomainEvent> & { readonly keys: DataKeyStore };
  try {
    store = await sealDomainStore(inner, readModel);
  } catch (error) {
    await inner.close().catch(() => undefined);
    await readModel.close().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    store,
    sealedLog: inner,
    readModel,
    dataKeys: store.keys,
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
