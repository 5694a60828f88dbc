import { pino } from 'pino';
import { loadConfig, type Config } from '../config/config.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import { openEventStorage } from '../edition/event-storage.ts';
import type { Logger } from '../logging/logger.ts';
import { userAsOf } from '../projections/as-of/index.ts';
import { domainProjections } from '../projections/domain-projections.ts';
import type { SqlProjection } from '../projections/framework/index.ts';
import type { OfflineBackend, OfflineBackendOpener } from './chorus-backend.ts';
import { OfflineChorusBackend } from './offline-backend.ts';
import { OfflineUnavailableError } from './offline-errors.ts';
import { assertPgliteDataDirAvailable } from './pglite-data-dir.ts';

export interface OfflineBackendOpenerOptions {
  /** Default: `domainProjections`, read when a backend is opened (so the registry as it is at run time). */
  readonly projections?: readonly SqlProjection<DomainEvent>[];
  /**
   * Default: silent. Runner logs would go to stdout and mix with the command's
   * output; the CLI reports every failure itself.
   */
  readonly logger?: Logger;
}

/** Whether this configuration keeps anything (log or read models) in a PGlite data directory. */
function usesPgliteDataDir(config: Config): boolean {
  switch (config.store) {
    case 'pglite':
      return true;
    case 'postgres':
      return false;
    case 'eventstoredb':
      // The edition keeps ESDB's read models in PGlite unless DATABASE_URL names a PostgreSQL.
      return config.databaseUrl === undefined;
    default: {
      const unreachable: never = config.store;
      throw new OfflineUnavailableError(`unknown CHORUS_STORE ${String(unreachable)}`);
    }
  }
}

/**
 * Opens the log and the read-model database exactly as the server does
 * (loadConfig for the same variables and defaults, openEventStorage for the
 * same placement of the read models). Throws ConfigError for a bad variable
 * and OfflineUnavailableError when a PGlite directory must not or cannot be
 * opened from here.
 */
export function createOfflineBackendOpener(options: OfflineBackendOpenerOptions = {}): OfflineBackendOpener {
  return async (env: NodeJS.ProcessEnv): Promise<OfflineBackend> => {
    const config = loadConfig(env);
    if (usesPgliteDataDir(config)) {
      if (config.dataDir === 'memory://')
        throw new OfflineUnavailableError('CHORUS_DATA_DIR is memory://: such a log lives only inside its server, there is nothing to open');
      await assertPgliteDataDirAvailable(config.dataDir);
    }
    const storage = await openEventStorage(config);
    return new OfflineChorusBackend({
      store: storage.store,
      client: storage.readModel,
      projections: options.projections ?? domainProjections,
      logger: options.logger ?? pino({ level: 'silent' }),
      release: () => storage.close(),
      replay: async ({ user, at }) => {
        const result = await userAsOf(storage.store, user, at);
        return { user: result.user, at: result.at, position: String(result.position), state: result.state };
      },
    });
  };
}

/** The opener `chorus` uses: the domain log and every registered domain projection. */
export const openOfflineBackend: OfflineBackendOpener = createOfflineBackendOpener();
