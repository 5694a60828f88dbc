import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logger, type Logger } from '../../../src/logging/logger.ts';
import { freePort } from '../sipp/free-port.ts';
import type { InjectionRow } from '../sipp/injection.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../infra/kamailio/kamailio.sh', import.meta.url));
const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'];

export interface KamailioPeerOptions {
  /** PostgreSQL URL of the database Kamailio uses (created if missing; its kamailio tables are recreated). Required. */
  readonly dbUrl: string;
  /** Subscribers to provision: user1..userN, password `<user>-pw`. Default 10. */
  readonly subscribers?: number;
  /** SIP domain and digest realm. Default `example.test`. */
  readonly domain?: string;
  /** UDP+TCP port. Default: a free port chosen at run time. */
  readonly port?: number;
  /** host:port that calls to phone numbers are sent to. Default: none (numbers are looked up like users). */
  readonly pstnGateway?: string;
  /** Pid file, log and runtime files. Default: a fresh temporary folder, removed by `close()`. */
  readonly runDir?: string;
  readonly logger?: Logger;
}

/**
 * Why Kamailio cannot run here, or undefined when it can: the binary, its PostgreSQL module
 * (Debian kamailio-postgres-modules), psql for provisioning, and the package's SQL schema files.
 */
export function kamailioUnavailableReason(): string | undefined {
  const onPath = (bin: string) => (process.env['PATH'] ?? '').split(':').some((dir) => existsSync(join(dir, bin)));
  if (!onPath('kamailio') && !existsSync('/usr/sbin/kamailio')) return 'kamailio is not installed (apt-get install kamailio)';
  if (!MODULE_DIRS.some((dir) => existsSync(join(dir, 'db_postgres.so'))))
    return "kamailio's PostgreSQL module is not installed (apt-get install kamailio-postgres-modules)";
  if (!existsSync('/usr/share/kamailio/postgres/auth_db-create.sql')) return 'kamailio PostgreSQL schema files missing (kamailio-postgres-modules)';
  if (!onPath('psql')) return 'psql is not installed (postgresql-client)';
  return undefined;
}

/** The credentials `kamailio.sh provision` gives subscriber `index` (1-based). */
export function kamailioSubscriber(index: number, domain = 'example.test'): InjectionRow {
  return { user: `user${index}`, domain, password: `user${index}-pw` };
}

/**
 * A Kamailio registrar/proxy (infra/kamailio) provisioned with N subscribers and running in the
 * background on its own port; `close()` stops it (idempotent) and removes its temporary run folder.
 */
export class KamailioPeer {
  readonly #env: NodeJS.ProcessEnv;
  readonly #runDir: string;
  readonly #ownsRunDir: boolean;
  readonly #log: Logger;
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly domain: string;
  #closed = false;

  private constructor(env: NodeJS.ProcessEnv, runDir: string, ownsRunDir: boolean, port: number, domain: string, log: Logger) {
    this.#env = env;
    this.#runDir = runDir;
    this.#ownsRunDir = ownsRunDir;
    this.port = port;
    this.domain = domain;
    this.#log = log;
  }

  static async start(options: KamailioPeerOptions): Promise<KamailioPeer> {
    const log = options.logger ?? logger('kamailio-peer');
    const ownsRunDir = options.runDir === undefined;
    const runDir = options.runDir ?? (await mkdtemp(join(tmpdir(), 'chorus-kamailio-')));
    const port = options.port ?? (await freePort());
    const domain = options.domain ?? 'example.test';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAMAILIO_DB_URL: options.dbUrl,
      KAMAILIO_PORT: String(port),
      KAMAILIO_DOMAIN: domain,
      KAMAILIO_RUN_DIR: runDir,
    };
    if (options.pstnGateway) env['KAMAILIO_PSTN_GATEWAY'] = options.pstnGateway;
    const peer = new KamailioPeer(env, runDir, ownsRunDir, port, domain, log);
    try {
      await peer.#script('provision', String(options.subscribers ?? 10));
      await peer.#script('start');
    } catch (error) {
      await peer.close();
      throw error;
    }
    return peer;
  }

  /** Kamailio's log (stderr), for diagnosing a failed test. */
  get logFile(): string {
    return join(this.#runDir, 'kamailio.log');
  }

  async #script(...args: string[]): Promise<void> {
    try {
      const { stdout } = await run('bash', [SCRIPT, ...args], { env: this.#env });
      this.#log.debug({ args, stdout: stdout.trim() }, 'kamailio.sh');
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`kamailio.sh ${args.join(' ')} failed: ${stderr.trim() || String(error)}`);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#script('stop');
    if (this.#ownsRunDir) await rm(this.#runDir, { recursive: true, force: true });
  }
}
