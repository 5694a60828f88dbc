import type { Config } from '../config/config.ts';
import { loadKafkaConfig, type KafkaConfig } from '../pool/kafka-config.ts';
import { PoolConfigError } from '../pool/pool-errors.ts';
import { roleNeedsKafka, type EditionRole } from './edition-role.ts';

/** A role was asked for without what it needs; nothing was started. The message says what to set. */
export class RoleConfigError extends Error {
  constructor(
    readonly role: EditionRole,
    message: string,
  ) {
    super(`--role ${role}: ${message}`);
    this.name = 'RoleConfigError';
  }
}

/** What a role runs with beyond the edition's Config: the Kafka settings when it is a pool member. */
export interface RoleRequirements {
  readonly role: EditionRole;
  /** Present for every role but `all`. */
  readonly kafka: KafkaConfig | null;
}

/**
 * Checks, before anything is opened, that the configuration suits the role:
 * - relay: CHORUS_STORE=postgres (its checkpoint lives in the log's database) and KAFKA_BROKERS;
 * - projector: DATABASE_URL (the shared read models) and KAFKA_BROKERS;
 * - frontend: a log several processes can share (CHORUS_STORE=postgres or eventstoredb),
 *   DATABASE_URL (the projector's read models) and KAFKA_BROKERS.
 * Throws RoleConfigError naming the variable.
 */
export function checkRoleRequirements(role: EditionRole, config: Config, env: NodeJS.ProcessEnv): RoleRequirements {
  if (!roleNeedsKafka(role)) return { role, kafka: null };
  let kafka: KafkaConfig;
  try {
    kafka = loadKafkaConfig(env);
  } catch (error) {
    if (error instanceof PoolConfigError) throw new RoleConfigError(role, `needs Kafka: ${error.message}`);
    throw error;
  }
  switch (role) {
    case 'relay':
      if (config.store !== 'postgres')
        throw new RoleConfigError(role, `CHORUS_STORE must be postgres (the relay tails the PostgreSQL log and keeps its checkpoint there), not ${config.store}`);
      break;
    case 'projector':
    case 'frontend':
      // PGlite is one process's private database: a pool member cannot share it.
      if (config.store === 'pglite')
        throw new RoleConfigError(role, 'CHORUS_STORE must be postgres or eventstoredb (a pool shares one log; PGlite cannot be shared)');
      if (!config.databaseUrl) throw new RoleConfigError(role, 'DATABASE_URL is required (the pool\'s read models live in the shared PostgreSQL)');
      break;
    case 'all':
      break;
    default: {
      const unknownRole: never = role;
      throw new Error(`unknown edition role ${String(unknownRole)}`);
    }
  }
  return { role, kafka };
}
