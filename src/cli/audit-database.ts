import { loadAuditConfig } from '../audit/audit-config.ts';
import type { AuditKeyRing } from '../audit/audit-keys.ts';
import { loadConfig } from '../config/config.ts';
import { openEventStorage } from '../edition/event-storage.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { OfflineUnavailableError } from './offline-errors.ts';
import { assertPgliteDataDirAvailable } from './pglite-data-dir.ts';

/** The log's database opened by the CLI itself, for `audit verify` when no server answers. */
export interface AuditDatabase {
  readonly client: SqlClient;
  /** From CHORUS_AUDIT_PUBLIC_KEY / CHORUS_AUDIT_SIGNING_KEY; null: the keys the log records. */
  readonly trustedKeys: AuditKeyRing | null;
  /** Idempotent. */
  close(): Promise<void>;
}

export type AuditDatabaseOpener = (env: NodeJS.ProcessEnv) => Promise<AuditDatabase>;

/**
 * Opens the log exactly as the server would (loadConfig, openEventStorage),
 * refusing a PGlite directory another process holds. Opening migrates the log
 * like any start does; verification itself writes nothing.
 */
export const openAuditDatabase: AuditDatabaseOpener = async (env) => {
  const config = loadConfig(env);
  const audit = loadAuditConfig(env);
  if (config.store === 'eventstoredb')
    throw new OfflineUnavailableError('the audit hash chain covers PGlite and PostgreSQL logs only (CHORUS_STORE=eventstoredb)');
  if (config.store === 'pglite') {
    if (config.dataDir === 'memory://')
      throw new OfflineUnavailableError('CHORUS_DATA_DIR is memory://: such a log lives only inside its server, there is nothing to open');
    await assertPgliteDataDirAvailable(config.dataDir);
  }
  const storage = await openEventStorage(config);
  return { client: storage.readModel, trustedKeys: audit.trustedKeys, close: () => storage.close() };
};
