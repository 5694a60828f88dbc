import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger, type Logger } from '../../../src/logging/logger.ts';
import { TypedEmitter } from '../../../src/util/typed-emitter.ts';
import { freePort } from '../sipp/free-port.ts';
import { baresipAccountLine, writeBaresipConfig, type BaresipAccount } from './baresip-config.ts';
import { BaresipMessageSchema, type BaresipEvent, type BaresipResponse } from './baresip-messages.ts';
import { encodeNetstring, NetstringDecoder } from './netstring.ts';

export interface BaresipUaOptions {
  /** Address for SIP and RTP. Default 127.0.0.1. */
  readonly host?: string;
  /** SIP port; baresip also takes port + 1 (TLS). Default: a free pair chosen at run time. */
  readonly sipPort?: number;
  /** ctrl_tcp port. Default: a free port chosen at run time. */
  readonly ctrlPort?: number;
  /** How long start-up, commands and `waitFor` may take before failing. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** More application modules, e.g. `['contact.so', 'presence.so']`. Default none. */
  readonly appModules?: readonly string[];
  /** Lines of the `contacts` file (e.g. `"Bob" <sip:bob@example.test>`). Default: no file. */
  readonly contacts?: readonly string[];
  /** baresip binary. Default `baresip` on PATH. */
  readonly binary?: string;
  readonly logger?: Logger;
}

type UaEvents = {
  /** Every event baresip reports, in order. */
  event: [event: BaresipEvent];
  /** The process ended. */
  exit: [code: number | null, signal: NodeJS.Signals | null];
};

const OUTPUT_TAIL_CHARS = 8_000;

async function freeSipPort(host: string): Promise<number> {
  // baresip binds port + 1 for SIP over TLS; both must be free.
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort(host);
    const nextFree = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, host, () => server.close(() => resolve(true)));
    });
    if (nextFree) return port;
  }
  throw new Error('no free SIP port pair for baresip');
}

/**
 * One headless baresip user agent (Debian baresip-core 1.0) in its own config folder (-f), driven
 * over ctrl_tcp: JSON commands (`dial`, `accept`, `hangup`, `uanew`, `reginfo`…, the menu module's
 * commands) and the events it reports (REGISTER_OK, CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED…),
 * all kept in `events` for assertions. `close()` quits baresip (which unregisters), kills it if it
 * lingers, and removes its folder; idempotent.
 */
export class BaresipUa extends TypedEmitter<UaEvents> {
  readonly #child: ChildProcess;
  readonly #socket: net.Socket;
  readonly #dir: string;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #events: BaresipEvent[] = [];
  readonly #pending = new Map<string, (response: BaresipResponse) => void>();
  readonly #exited: Promise<void>;
  #output = '';
  #nextToken = 1;
  #closed = false;
  readonly host: string;
  readonly sipPort: number;

  private constructor(child: ChildProcess, socket: net.Socket, dir: string, host: string, sipPort: number, output: () => string, timeoutMs: number, log: Logger) {
    super();
    this.#child = child;
    this.#socket = socket;
    this.#dir = dir;
    this.host = host;
    this.sipPort = sipPort;
    this.#timeoutMs = timeoutMs;
    this.#log = log;
    this.#output = output();
    child.stdout?.on('data', (chunk: Buffer) => this.#appendOutput(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#appendOutput(chunk));
    this.#exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.once('exit', (code, signal) => this.emit('exit', code, signal));
    const decoder = new NetstringDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) this.#onFrame(frame);
      } catch (error) {
        log.error({ err: error }, 'ctrl_tcp stream unreadable');
        socket.destroy();
      }
    });
    socket.on('error', (error) => log.debug({ err: error }, 'ctrl_tcp socket error'));
  }

  static async start(options: BaresipUaOptions = {}): Promise<BaresipUa> {
    const log = options.logger ?? logger('baresip-harness');
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.timeoutMs ?? 10_000;
    const dir = await mkdtemp(join(tmpdir(), 'chorus-baresip-'));
    const sipPort = options.sipPort ?? (await freeSipPort(host));
    const ctrlPort = options.ctrlPort ?? (await freePort());
    await writeBaresipConfig(dir, {
      sipHost: host,
      sipPort,
      ctrlPort,
      rtpPort: await freePort(host),
      ...(options.appModules ? { appModules: options.appModules } : {}),
      ...(options.contacts ? { contacts: options.contacts } : {}),
    });
    const child = spawn(options.binary ?? 'baresip', ['-f', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    try {
      const socket = await Promise.race([BaresipUa.#connect(ctrlPort, child, timeoutMs, () => output), spawnError]);
      child.stdout.off('data', collect);
      child.stderr.off('data', collect);
      return new BaresipUa(child, socket, dir, host, sipPort, () => output, timeoutMs, log);
    } catch (error) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** ctrl_tcp listens once baresip has loaded its modules; until then connections are refused. */
  static async #connect(port: number, child: ChildProcess, timeoutMs: number, output: () => string): Promise<net.Socket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`baresip exited (${child.exitCode}) during start-up:\n${output()}`);
      try {
        return await new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        });
      } catch {
        if (Date.now() > deadline) throw new Error(`baresip ctrl_tcp not listening on ${port} after ${timeoutMs} ms:\n${output()}`);
        await sleep(50);
      }
    }
  }

  #appendOutput(chunk: Buffer): void {
    this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  }

  #onFrame(frame: string): void {
    let json: unknown;
    try {
      json = JSON.parse(frame);
    } catch {
      this.#log.warn({ frame }, 'ctrl_tcp frame is not JSON');
      return;
    }
    const parsed = BaresipMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.#log.warn({ frame }, 'unrecognised ctrl_tcp message');
      return;
    }
    const message = parsed.data;
    if ('event' in message) {
      this.#events.push(message);
      this.#log.debug({ event: message }, 'baresip event');
      this.emit('event', message);
      return;
    }
    const resolve = message.token === undefined ? undefined : this.#pending.get(message.token);
    if (resolve && message.token !== undefined) {
      this.#pending.delete(message.token);
      resolve(message);
    }
  }

  /** Everything baresip reported so far, oldest first. */
  get events(): readonly BaresipEvent[] {
    return this.#events;
  }

  /** The end of baresip's console output, for failure messages. */
  get output(): string {
    return this.#output;
  }

  /** Sends a ctrl_tcp command and waits for its response; throws when baresip answers `ok: false`. */
  async command(command: string, params = ''): Promise<string> {
    if (this.#closed) throw new Error(`baresip closed: cannot send ${command}`);
    const token = String(this.#nextToken++);
    const response = new Promise<BaresipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        reject(new Error(`baresip did not answer "${command}" within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.#socket.write(encodeNetstring(JSON.stringify({ command, params, token })));
    const result = await response;
    if (!result.ok) throw new Error(`baresip refused "${command} ${params}": ${result.data.trim()}`);
    return result.data;
  }

  /**
   * Resolves with the first event (already reported or future) matching `predicate`; rejects
   * after the timeout with `what` and the events seen, or when `failOn` matches first.
   */
  waitFor(what: string, predicate: (e: BaresipEvent) => boolean, failOn?: (e: BaresipEvent) => boolean, fromIndex = 0): Promise<BaresipEvent> {
    const check = (e: BaresipEvent): 'done' | 'failed' | undefined => (predicate(e) ? 'done' : failOn?.(e) ? 'failed' : undefined);
    for (const e of this.#events.slice(fromIndex)) {
      const verdict = check(e);
      if (verdict === 'done') return Promise.resolve(e);
      if (verdict === 'failed') return Promise.reject(new Error(`${what}: got ${e.type} ${e.param ?? ''}`));
    }
    return new Promise((resolve, reject) => {
      const listener = (e: BaresipEvent) => {
        const verdict = check(e);
        if (!verdict) return;
        clearTimeout(timer);
        this.off('event', listener);
        if (verdict === 'done') resolve(e);
        else reject(new Error(`${what}: got ${e.type} ${e.param ?? ''}`));
      };
      const timer = setTimeout(() => {
        this.off('event', listener);
        reject(new Error(`timed out waiting for ${what}; events: ${this.#events.map((x) => x.type).join(', ') || 'none'}\n${this.#output}`));
      }, this.#timeoutMs);
      this.on('event', listener);
    });
  }

  /** Adds the account and waits until its REGISTER is answered 200 (REGISTER_OK); throws on REGISTER_FAIL. */
  async register(account: BaresipAccount): Promise<BaresipEvent> {
    const from = this.#events.length;
    const aor = `sip:${account.aor}`;
    await this.command('uanew', baresipAccountLine(account));
    return this.waitFor(
      `REGISTER_OK for ${aor}`,
      (e) => e.type === 'REGISTER_OK' && e.accountaor === aor,
      (e) => e.type === 'REGISTER_FAIL' && e.accountaor === aor,
      from,
    );
  }

  /** Calls `uri` from the current UA; the call's progress arrives as CALL_* events. */
  async dial(uri: string): Promise<void> {
    await this.command('dial', uri);
  }

  /** Answers the current incoming call. */
  async accept(): Promise<void> {
    await this.command('accept');
  }

  /** Ends (or rejects) the current call. */
  async hangup(): Promise<void> {
    await this.command('hangup');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      // "quit" lets baresip unregister; a UA that does not exit in time is killed.
      this.#socket.write(encodeNetstring(JSON.stringify({ command: 'quit', params: '', token: 'quit' })));
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#socket.destroy();
    for (const resolve of this.#pending.values()) resolve({ response: true, ok: false, data: 'closed' });
    this.#pending.clear();
    this.removeAllListeners();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
