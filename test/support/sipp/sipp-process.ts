import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger, type Logger } from '../../../src/logging/logger.ts';
import { freePort } from './free-port.ts';
import { writeInjectionFile, type InjectionOrder, type InjectionRow } from './injection.ts';
import { sippScenarioPath, type SippScenarioName } from './scenarios.ts';
import { parseSippStats, type SippCounters } from './sipp-stats.ts';

export type SippTransport = 'udp' | 'tcp';

export interface SippOptions {
  /** A scenario of test/fixtures/sipp by name, or `{ file }` for any other scenario file. */
  readonly scenario: SippScenarioName | { readonly file: string };
  /** Where requests go (host:port). Omit for a pure UAS scenario, which only answers. */
  readonly remote?: { readonly host: string; readonly port: number };
  /** `udp` → `-t u1`, `tcp` → `-t t1` (one socket for all calls, as a softphone has). Default `udp`. */
  readonly transport?: SippTransport;
  /** SIP port (-p). Default: a free port chosen at run time (SIPp's own default tries 5060 first). */
  readonly localPort?: number;
  /** Local address for Via/Contact/From (-i) and binding. Default `127.0.0.1`. */
  readonly localIp?: string;
  /** Rows for `-inf` (fields: user, domain, credentials, target). Default: none. */
  readonly injection?: readonly InjectionRow[];
  readonly injectionOrder?: InjectionOrder;
  /** Calls to process before exiting (-m). Default 1. */
  readonly calls?: number;
  /** New calls per second (-r). Default 10. */
  readonly rate?: number;
  /** Simultaneous calls cap (-l). Default: SIPp's (3 × rate × call length). */
  readonly maxConcurrent?: number;
  /** The scenarios' `<pause/>` length in ms (-d): call hold time, subscription lifetime. Default 0. */
  readonly pauseMs?: number;
  /** Scenario keywords (-key): `expires` (default 3600), `note` (default "chorus sipp"), `text` (default "hello"). */
  readonly keys?: Readonly<Record<string, string>>;
  /** Global deadline (-timeout, with -timeout_error so reaching it is a failure). Default 60 000 ms. */
  readonly timeoutMs?: number;
  /** How long one `<recv>` waits before the call fails (-recv_timeout). Default 10 000 ms. */
  readonly recvTimeoutMs?: number;
  /** Keep every sent/received message in messages.log (-trace_msg); costly at load. Default false. */
  readonly traceMessages?: boolean;
  /** Folder for the CSV, statistics and logs. Default: a fresh temporary folder, deleted by `close()` after a success. */
  readonly workDir?: string;
  /** Extra raw arguments appended last. Default none. */
  readonly extraArgs?: readonly string[];
  /** SIPp binary. Default `sipp` on PATH. */
  readonly binary?: string;
  readonly logger?: Logger;
}

export interface SippResult {
  /** SIPp's exit status: 0 every call succeeded, 1 some failed, 97 stopped by command, 99 no call processed, 255 fatal, 254 bind failed. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Final counters; undefined when SIPp died before writing statistics (see `stdout`, `errors`). */
  readonly counters: SippCounters | undefined;
  /** SIPp's error log: unexpected messages, failed regexps, retransmission timeouts. */
  readonly errors: string;
  /** Every message sent/received when `traceMessages` was on, else ''. */
  readonly messages: string;
  /** The end of SIPp's screen output (its final statistics screen, or why it refused to start). */
  readonly stdout: string;
  readonly localPort: number;
  readonly workDir: string;
}

const DEFAULT_KEYS: Readonly<Record<string, string>> = { expires: '3600', note: 'chorus sipp', text: 'hello' };
const OUTPUT_TAIL_CHARS = 8_000;

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * One SIPp run as a child process: starts at once, `done` resolves with its exit status, final
 * counters and logs when SIPp exits (never rejects for a failing scenario: assert on the result).
 * `close()` stops a SIPp still running (SIGTERM, then SIGKILL) and waits for it; idempotent.
 * For a UAS that must answer while a UAC runs, start it first and await its `done` afterwards.
 */
export class SippProcess {
  readonly #child: ChildProcess;
  readonly #workDir: string;
  readonly #ownsWorkDir: boolean;
  readonly #localPort: number;
  readonly #log: Logger;
  readonly done: Promise<SippResult>;
  #closed = false;

  private constructor(child: ChildProcess, workDir: string, ownsWorkDir: boolean, localPort: number, traceMessages: boolean, log: Logger) {
    this.#child = child;
    this.#workDir = workDir;
    this.#ownsWorkDir = ownsWorkDir;
    this.#localPort = localPort;
    this.#log = log;
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = tail(stdout + chunk, OUTPUT_TAIL_CHARS);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = tail(stdout + chunk, OUTPUT_TAIL_CHARS);
    });
    this.done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    }).then(async ({ code, signal }) => {
      const stats = await readIfPresent(join(workDir, 'stats.csv'));
      let counters: SippCounters | undefined;
      try {
        counters = stats ? parseSippStats(stats) : undefined;
      } catch (error) {
        log.warn({ err: error }, 'unreadable SIPp statistics');
      }
      const result: SippResult = {
        exitCode: code,
        signal,
        counters,
        errors: tail(await readIfPresent(join(workDir, 'errors.log')), OUTPUT_TAIL_CHARS),
        messages: traceMessages ? await readIfPresent(join(workDir, 'messages.log')) : '',
        stdout,
        localPort,
        workDir,
      };
      log.debug({ exitCode: code, signal, counters }, 'SIPp exited');
      return result;
    });
  }

  static async start(options: SippOptions): Promise<SippProcess> {
    const log = options.logger ?? logger('sipp-harness');
    const ownsWorkDir = options.workDir === undefined;
    const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'chorus-sipp-')));
    const localIp = options.localIp ?? '127.0.0.1';
    const localPort = options.localPort ?? (await freePort(localIp));
    const scenarioFile = typeof options.scenario === 'string' ? sippScenarioPath(options.scenario) : options.scenario.file;
    const args: string[] = [];
    if (options.remote) args.push(`${options.remote.host}:${options.remote.port}`);
    args.push(
      '-sf', scenarioFile,
      '-t', options.transport === 'tcp' ? 't1' : 'u1',
      '-i', localIp,
      '-p', String(localPort),
      '-m', String(options.calls ?? 1),
      '-r', String(options.rate ?? 10),
      '-d', String(options.pauseMs ?? 0),
      '-timeout', `${options.timeoutMs ?? 60_000}ms`,
      '-timeout_error',
      '-recv_timeout', `${options.recvTimeoutMs ?? 10_000}ms`,
      // No terminal: SIPp must neither read keys from stdin nor wait for one.
      '-nostdin',
      '-trace_stat', '-stf', join(workDir, 'stats.csv'), '-fd', '1',
      '-trace_err', '-error_file', join(workDir, 'errors.log'),
    );
    if (options.maxConcurrent !== undefined) args.push('-l', String(options.maxConcurrent));
    if (options.injection) {
      const csv = join(workDir, 'injection.csv');
      await writeInjectionFile(csv, options.injection, options.injectionOrder);
      args.push('-inf', csv);
    }
    for (const [key, value] of Object.entries({ ...DEFAULT_KEYS, ...options.keys })) args.push('-key', key, value);
    if (options.traceMessages) args.push('-trace_msg', '-message_file', join(workDir, 'messages.log'));
    args.push(...(options.extraArgs ?? []));
    log.debug({ args }, 'starting SIPp');
    // cwd = workDir: SIPp writes any file we did not name (e.g. its default logs) next to itself.
    const child = spawn(options.binary ?? 'sipp', args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    return new SippProcess(child, workDir, ownsWorkDir, localPort, options.traceMessages ?? false, log);
  }

  /** Starts SIPp and waits for it to exit. */
  static async run(options: SippOptions): Promise<SippResult> {
    const sipp = await SippProcess.start(options);
    try {
      return await sipp.done;
    } finally {
      await sipp.close();
    }
  }

  get localPort(): number {
    return this.#localPort;
  }

  get workDir(): string {
    return this.#workDir;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Stops SIPp if it still runs and waits for its result; removes the temporary folder when it was
   * ours and the run succeeded (a failed run's logs are kept for diagnosis, and the path logged).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
      await this.done.catch(() => undefined);
      clearTimeout(timer);
    }
    const result = await this.done.catch(() => undefined);
    if (!this.#ownsWorkDir) return;
    if (result?.exitCode === 0) await rm(this.#workDir, { recursive: true, force: true });
    else this.#log.info({ workDir: this.#workDir }, 'SIPp run did not succeed: logs kept');
  }
}

/** A readable account of a run for assertion messages: counters, failure causes, error log, screen. */
export function describeSippResult(result: SippResult): string {
  const c = result.counters;
  return [
    `SIPp exit ${result.exitCode ?? result.signal} (logs in ${result.workDir})`,
    c ? `calls: ${c.created} created, ${c.successful} successful, ${c.failed} failed ${JSON.stringify(c.failures)}` : 'no statistics written',
    result.errors ? `errors.log:\n${tail(result.errors, 3_000)}` : 'errors.log: empty',
    `screen:\n${tail(result.stdout, 2_000)}`,
  ].join('\n');
}
