import { loadConfig } from '../config/config.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import { openEventStorage } from '../edition/event-storage.ts';
import { OfflineUnavailableError } from './offline-errors.ts';
import { assertPgliteDataDirAvailable } from './pglite-data-dir.ts';

/** The event log opened by the CLI itself, for commands that only read it (timeline, export) when no server answers. */
export interface OfflineLog {
  readonly store: EventStore<DomainEvent>;
  /** Idempotent. */
  close(): Promise<void>;
}

export type OfflineLogOpener = (env: NodeJS.ProcessEnv) => Promise<OfflineLog>;

/**
 * Opens the log exactly as the server would (loadConfig, openEventStorage),
 * refusing a PGlite directory another process holds: PGlite is
 * single-process, and a running server owns it.
 */
export const openOfflineLog: OfflineLogOpener = async (env) => {
  const config = loadConfig(env);
  const pgliteDir = config.store === 'pglite' || (config.store === 'eventstoredb' && config.databaseUrl === undefined);
  if (pgliteDir) {
    if (config.dataDir === 'memory://')
      throw new OfflineUnavailableError('CHORUS_DATA_DIR is memory://: such a log lives only inside its server, there is nothing to open');
    await assertPgliteDataDirAvailable(config.dataDir);
  }
  const storage = await openEventStorage(config);
  return { store: storage.store, close: () => storage.close() };
};
