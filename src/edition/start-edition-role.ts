import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import type { PoolMember } from './pool-member.ts';
import { startProjectorRole } from './projector-role.ts';
import { startRelayRole } from './relay-role.ts';
import type { RoleRequirements } from './role-requirements.ts';
import { startStandardEdition } from './standard-edition.ts';

export interface StartEditionRoleOptions {
  /** Default: each part's own module logger. */
  readonly logger?: Logger;
}

/**
 * Starts what `chorus serve --role` asked for, once checkRoleRequirements has
 * vetted the configuration: `all` (the Standard Edition, unchanged) and
 * `frontend` through startStandardEdition, `relay` and `projector` through
 * their own starters.
 */
export async function startEditionRole(config: Config, requirements: RoleRequirements, options: StartEditionRoleOptions = {}): Promise<PoolMember> {
  const { role, kafka } = requirements;
  const logged = options.logger ? { logger: options.logger } : {};
  switch (role) {
    case 'all':
      return startStandardEdition(config, { role, ...logged });
    case 'frontend':
    case 'relay':
    case 'projector': {
      if (!kafka) throw new Error(`the ${role} role needs the Kafka settings`);
      if (role === 'frontend') return startStandardEdition(config, { role, kafka, ...logged });
      return role === 'relay' ? startRelayRole(config, kafka, logged) : startProjectorRole(config, kafka, logged);
    }
    default: {
      const unknownRole: never = role;
      throw new Error(`unknown edition role ${String(unknownRole)}`);
    }
  }
}
