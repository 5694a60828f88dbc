/**
 * A `chorus serve --role <role>` child process, as an operator starts one: the
 * real CLI (bin/chorus.js) with only the variables it is given. Its pino lines
 * on stdout tell where its HTTP server answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CHORUS_BIN = fileURLToPath(new URL('../../../bin/chorus.js', import.meta.url));

/** PATH and HOME only, plus `extra`: a child must not inherit the test's own DATABASE_URL, KAFKA_BROKERS, … */
export function roleEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], LOG_LEVEL: 'info', ...extra };
}

export interface HealthBody {
  readonly status: string;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail?: string }[];
}

/** GET /health of a role, with the HTTP status (200 ready, 503 not). */
export async function roleHealth(url: string): Promise<{ readonly httpStatus: number; readonly body: HealthBody }> {
  const response = await fetch(`${url}/health`);
  return { httpStatus: response.status, body: (await response.json()) as HealthBody };
}

export class RoleProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  /** The HTTP URL from the role's "ready" log line; rejects when the process exits before. */
  readonly url: Promise<string>;
  readonly #exited: Promise<number | null>;
  stderr = '';

  constructor(name: string, role: string, env: NodeJS.ProcessEnv) {
    this.name = name;
    this.#child = spawn(process.execPath, [CHORUS_BIN, 'serve', '--role', role], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.#exited = once(this.#child, 'exit').then(([code]) => code as number | null);
    const lines = createInterface({ input: this.#child.stdout! });
    this.url = new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        const url = /"httpUrl":"([^"]+)"/.exec(line)?.[1];
        if (url && /ready/.test(line)) resolve(url);
      });
      void this.#exited.then((code) => reject(new Error(`${name} exited (${String(code)}) before it was ready: ${this.stderr}`)));
    });
    this.url.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** SIGTERM, and the exit code of the orderly stop. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    return this.#exited;
  }
}
