import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';

const Line = z.discriminatedUnion('event', [
  z.object({ event: z.literal('started'), worker: z.string() }),
  z.object({ event: z.literal('assigned'), projection: z.string(), assigned: z.boolean() }),
  z.object({ event: z.literal('applied'), projection: z.string(), position: z.string(), applied: z.number(), skipped: z.number() }),
  z.object({ event: z.literal('failed'), error: z.string() }),
]);

/** A projector process (test/support/kafka/projector-process.ts) and what it reported so far. */
export class ProjectorChild {
  readonly name: string;
  readonly #child: ChildProcess;
  /** Projections this process holds now. */
  readonly assigned = new Set<string>();
  /** Every projection it ever held. */
  readonly everAssigned = new Set<string>();
  started = false;
  applied = 0;
  skipped = 0;
  readonly failures: string[] = [];
  readonly exited: Promise<number | null>;
  #stderr = '';

  constructor(name: string, env: Record<string, string>) {
    this.name = name;
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'test/support/kafka/projector-process.ts'], {
      env: { ...process.env, ...env, CHORUS_NODE_ID: name, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    this.#child.stderr!.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4_000);
    });
    createInterface({ input: this.#child.stdout! }).on('line', (text) => {
      const parsed = Line.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      const line = parsed.data;
      switch (line.event) {
        case 'started':
          this.started = true;
          break;
        case 'assigned':
          if (line.assigned) {
            this.assigned.add(line.projection);
            this.everAssigned.add(line.projection);
          } else this.assigned.delete(line.projection);
          break;
        case 'applied':
          this.applied += line.applied;
          this.skipped += line.skipped;
          break;
        case 'failed':
          this.failures.push(line.error);
          break;
        default: {
          const unreachable: never = line;
          throw new Error(`unknown line ${String(unreachable)}`);
        }
      }
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** SIGTERM (a clean leave), then SIGKILL if it lingers; safe when already gone. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}
