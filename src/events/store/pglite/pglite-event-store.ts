import type { EventCatalogue } from '../../catalogue.ts';
import type { EventShape } from '../../envelope.ts';
import type { FaultHooks } from '../../fault-hooks.ts';
import { PgliteClient } from '../../../storage/pglite-client.ts';
import { EVENT_LOG_MIGRATIONS } from '../sql/migrations.ts';
import { migrate } from '../sql/migrator.ts';
import { SqlEventStore } from '../sql/sql-event-store.ts';
import type { SqlEventStoreOptions } from '../sql/sql-event-store.ts';

export interface PgliteEventStoreOpenOptions<E extends EventShape> extends Omit<SqlEventStoreOptions<E>, 'client' | 'ownsClient'> {
  /** An open client to use (the caller keeps ownership), or… */
  readonly client?: PgliteClient;
  /** …a data directory (or `memory://`) for a client the store opens and closes itself. Default `memory://`. */
  readonly dataDir?: string;
  readonly catalogue: EventCatalogue<E>;
  readonly faultHooks?: FaultHooks;
}

/**
 * The event log embedded in this process. PGlite is a single connection owned
 * by this process, so every append goes through this store's group committer and
 * the in-process commit signal is a complete wake-up source: the append function
 * is told not to NOTIFY (nobody else could listen).
 */
/** PostgreSQL's autovacuum defaults: re-analyze after 50 + 10 % of the table's rows changed. */
const ANALYZE_BASE_THRESHOLD = 50;
const ANALYZE_SCALE_FACTOR = 0.1;

export class PgliteEventStore<E extends EventShape> extends SqlEventStore<E> {
  #writtenSinceAnalyze = 0;
  #analyzing: Promise<void> | null = null;

  static async open<E extends EventShape>(options: PgliteEventStoreOpenOptions<E>): Promise<PgliteEventStore<E>> {
    const owns = options.client === undefined;
    const client = options.client ?? (await PgliteClient.open({ dataDir: options.dataDir ?? 'memory://' }));
    try {
      await migrate(client, EVENT_LOG_MIGRATIONS);
    } catch (err) {
      if (owns) await client.close();
      throw err;
    }
    return new PgliteEventStore({ ...options, client, ownsClient: owns });
  }

  private constructor(options: SqlEventStoreOptions<E>) {
    super({ kind: 'pglite', notifyOnAppend: false }, options);
  }

  /**
   * PGlite has no autovacuum, so nothing would ever refresh the planner's
   * statistics and the read queries would be planned for the log as it was when
   * the process started. Do what autovacuum's ANALYZE does, on the same
   * threshold. (The append function does not depend on this: it pins its point
   * lookups to indexes.) ANALYZE samples at most 30,000 rows, so it stays cheap.
   */
  protected override afterCommit(eventsWritten: number, head: bigint): void {
    this.#writtenSinceAnalyze += eventsWritten;
    const threshold = ANALYZE_BASE_THRESHOLD + ANALYZE_SCALE_FACTOR * Number(head);
    if (this.#writtenSinceAnalyze < threshold || this.#analyzing || this.closed) return;
    this.#writtenSinceAnalyze = 0;
    this.#analyzing = this.client
      .exec('ANALYZE chorus_events, chorus_streams')
      // Statistics are an optimisation: a failed ANALYZE must not fail anybody's append.
      .catch(() => {})
      .finally(() => {
        this.#analyzing = null;
      });
  }

  protected override async releaseResources(): Promise<void> {
    await this.#analyzing;
  }
}
