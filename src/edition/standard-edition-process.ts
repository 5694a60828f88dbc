import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { logger, setLogLevel } from '../logging/logger.ts';
import type { EditionRole } from './edition-role.ts';
import { EXIT_FAILURE, EXIT_OK } from './process-exit.ts';
import type { PoolMember } from './pool-member.ts';
import { checkRoleRequirements, RoleConfigError, type RoleRequirements } from './role-requirements.ts';
import { startEditionRole } from './start-edition-role.ts';

export interface StandardEditionProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly role?: EditionRole;
  /** Where operator messages go (config errors, the ephemeral token); logs go to stdout. */
  readonly stderr: NodeJS.WritableStream;
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

interface ShutdownSignal {
  readonly received: Promise<NodeJS.Signals>;
  /** Stops listening (a start that failed has nothing to shut down). */
  dispose(): void;
}

function listenForShutdownSignal(): ShutdownSignal {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = (): void => {
    for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  for (const s of SHUTDOWN_SIGNALS) process.on(s, onSignal);
  return { received, dispose };
}

/**
 * The whole life of a Standard Edition process: configuration, start, wait for
 * SIGINT/SIGTERM, orderly stop. Resolves to the exit code; shared by
 * src/main.ts and `chorus serve`.
 */
export async function runStandardEditionProcess(options: StandardEditionProcessOptions): Promise<number> {
  const { stderr } = options;
  let config: Config;
  let requirements: RoleRequirements;
  try {
    config = loadConfig(options.env);
    requirements = checkRoleRequirements(options.role ?? 'all', config, options.env);
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof RoleConfigError)) throw error;
    stderr.write(`chorus: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  setLogLevel(config.logLevel);
  const log = logger('edition');

  // Listen before starting so a signal that arrives during start-up is not lost.
  const shutdownSignal = listenForShutdownSignal();
  let edition: PoolMember;
  try {
    edition = await startEditionRole(config, requirements);
  } catch (error) {
    shutdownSignal.dispose();
    log.fatal({ err: error }, 'start failed');
    stderr.write(`chorus: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }

  if (edition.adminTokenEphemeral) {
    stderr.write(
      'chorus: CHORUS_ADMIN_TOKEN is not set; generated an ephemeral admin token, valid until this process stops:\n' +
        `chorus: admin token ${edition.adminToken}\n`,
    );
  }

  const signal = await shutdownSignal.received;
  log.info({ signal }, 'shutting down');
  // A second signal while closing means the operator will not wait: leave at once.
  const forceExit = (): void => {
    log.warn('second signal during shutdown, exiting without finishing');
    process.exit(EXIT_FAILURE);
  };
  for (const s of SHUTDOWN_SIGNALS) process.once(s, forceExit);
  try {
    await edition.close();
    log.info('stopped');
    return EXIT_OK;
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    return EXIT_FAILURE;
  } finally {
    for (const s of SHUTDOWN_SIGNALS) process.off(s, forceExit);
  }
}
