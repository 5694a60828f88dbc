import type { EventCatalogue } from '../../catalogue.ts';
import type { EventShape } from '../../envelope.ts';
import type { FaultHooks } from '../../fault-hooks.ts';
import { PgClient } from '../../../storage/pg-client.ts';
import { EVENTS_CHANNEL } from '../sql/lock-keys.ts';
import { EVENT_LOG_MIGRATIONS } from '../sql/migrations.ts';
import { migrate } from '../sql/migrator.ts';
import { SqlEventStore } from '../sql/sql-event-store.ts';
import type { SqlEventStoreOptions } from '../sql/sql-event-store.ts';
import { NotificationListener } from './notification-listener.ts';

export interface PostgresEventStoreOpenOptions<E extends EventShape> extends Omit<SqlEventStoreOptions<E>, 'client' | 'ownsClient'> {
  /** An open client to use (the caller keeps ownership), or… */
  readonly client?: PgClient;
  /** …a connection string for a pool the store opens and closes itself. */
  readonly connectionString?: string;
  readonly catalogue: EventCatalogue<E>;
  readonly faultHooks?: FaultHooks;
  /** LISTEN for other processes' commits. Default true; without it they are seen at the poll interval. */
  readonly listen?: boolean;
}

/**
 * The event log on a PostgreSQL server, shared by any number of Chorus
 * processes. Each process group-commits its own appends; the append lock in
 * `chorus_append_batch` orders them across processes. Subscribers wake on this
 * process's commits directly and on other processes' commits through LISTEN.
 */
export class PostgresEventStore<E extends EventShape> extends SqlEventStore<E> {
  #listener: NotificationListener | null = null;

  static async open<E extends EventShape>(options: PostgresEventStoreOpenOptions<E>): Promise<PostgresEventStore<E>> {
    const owns = options.client === undefined;
    let client = options.client;
    if (client === undefined) {
      if (options.connectionString === undefined) throw new Error('PostgresEventStore.open needs a client or a connectionString');
      client = new PgClient({ connectionString: options.connectionString, applicationName: 'chorus-event-log' });
    }
    const store = new PostgresEventStore({ ...options, client, ownsClient: owns });
    try {
      await migrate(client, EVENT_LOG_MIGRATIONS);
      if (options.listen ?? true)
        store.#listener = await NotificationListener.start({
          pool: client.pool,
          channel: EVENTS_CHANNEL,
          onWake: () => store.commits.notify(),
        });
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private constructor(options: SqlEventStoreOptions<E>) {
    super({ kind: 'postgres', notifyOnAppend: true }, options);
  }

  protected override async releaseResources(): Promise<void> {
    await this.#listener?.close();
  }
}
