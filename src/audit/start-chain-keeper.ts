import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { AuditConfig } from './audit-config.ts';
import { AuditSigner } from './audit-keys.ts';
import { ChainKeeper } from './chain-keeper.ts';

export interface StartChainKeeperOptions {
  readonly audit: AuditConfig;
  readonly store: Config['store'];
  /** The log's database. */
  readonly client: SqlClient;
  readonly logger: Logger;
}

/**
 * The server's chain keeper, following the log in the background, or null when
 * the audit is off or the log is not in SQL (EventStoreDB). Without a signing
 * key it signs with a key generated for this process and says so.
 */
export async function startChainKeeper(options: StartChainKeeperOptions): Promise<ChainKeeper | null> {
  const { audit, logger: log } = options;
  if (!audit.enabled) {
    log.info('audit chain keeper off (CHORUS_AUDIT=off)');
    return null;
  }
  if (options.store === 'eventstoredb') {
    log.warn('the audit hash chain covers PGlite and PostgreSQL logs only; no chain keeper for EventStoreDB');
    return null;
  }
  let signer = audit.signer;
  if (signer === null) {
    signer = AuditSigner.ephemeral();
    log.warn(
      { keyId: signer.keyId },
      'CHORUS_AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with a key generated for this process only ' +
        '(its public key is recorded in the log). Such signatures prove nothing against someone who can write to the ' +
        'database; set CHORUS_AUDIT_SIGNING_KEY (and give verifiers CHORUS_AUDIT_PUBLIC_KEY) in production.',
    );
  }
  const keeper = await ChainKeeper.open({
    client: options.client,
    signer,
    checkpointEvery: audit.checkpointEvery,
    checkpointSeconds: audit.checkpointSeconds,
    logger: log,
  });
  keeper.start();
  log.info({ keyId: signer.keyId, checkpointEvery: audit.checkpointEvery }, 'audit chain keeper started');
  return keeper;
}
