/**
 * The end-to-end harness: the REAL Chorus Standard Edition (startStandardEdition, HTTP API and
 * SIP plane on OS-chosen ports) on an in-memory PGlite log, or on PostgreSQL (DATABASE_URL), with
 * real SIP clients (SIPp, baresip) talking to it over loopback. Users and voice configuration are
 * provisioned through the HTTP API, as an operator would; assertions read the event log and the
 * query routes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import type { DomainEvent } from '../../src/events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { startStandardEdition, type StandardEdition } from '../../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../../src/metrics/metrics-registry.ts';
import { loadSipFrontEndConfig } from '../../src/realtime/front-end/sip-front-end-config.ts';
import { describeSippResult, SippProcess, type InjectionRow, type SippOptions, type SippResult } from '../support/sipp/index.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { waitUntil } from '../support/wait-until.ts';

export const PASSWORD = 'e2e-Secret-42';

/** Why the SIPp suites cannot run here, or undefined when they can. */
export function sippUnavailableReason(): string | undefined {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    // `sipp -v` exits non-zero after printing its version; only a missing binary is a problem.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'sipp is not installed (apt-get install sip-tester)' : undefined;
  }
}

/** Why the baresip suites cannot run here, or undefined when they can. */
export function baresipUnavailableReason(): string | undefined {
  return (process.env['PATH'] ?? '').split(':').some((dir) => existsSync(join(dir, 'baresip')))
    ? undefined
    : 'baresip is not installed (apt-get install baresip-core)';
}

/**
 * The event logs an e2e suite runs on: E2E_BACKENDS (comma list of `pglite`, `postgres`) when set;
 * else PGlite in memory, plus PostgreSQL when DATABASE_URL is set.
 */
export type E2eBackend = 'pglite' | 'postgres';
export function e2eBackends(): E2eBackend[] {
  const chosen = process.env['E2E_BACKENDS'];
  if (chosen) {
    const list = chosen.split(',').map((x) => x.trim());
    const bad = list.filter((x) => x !== 'pglite' && x !== 'postgres');
    if (bad.length > 0) throw new Error(`E2E_BACKENDS: unknown backend(s) ${bad.join(', ')} (pglite, postgres)`);
    if (list.includes('postgres') && !process.env['DATABASE_URL']) throw new Error('E2E_BACKENDS=postgres needs DATABASE_URL');
    return list as E2eBackend[];
  }
  return process.env['DATABASE_URL'] ? ['pglite', 'postgres'] : ['pglite'];
}

export interface E2eEditionOptions {
  readonly backend: E2eBackend;
  /** SIP_DIGEST_ALGORITHMS. Default: the edition's default (MD5). */
  readonly digestAlgorithms?: string;
}

function assertAllSucceeded(result: SippResult, calls: number): void {
  const why = describeSippResult(result);
  assert.equal(result.exitCode, 0, why);
  assert.equal(result.counters?.successful, calls, why);
  assert.equal(result.counters?.failed, 0, why);
}
export { assertAllSucceeded };

/**
 * One running edition and the helpers every e2e test needs. Each start uses a fresh random SIP
 * domain, so a PostgreSQL database that keeps the log of earlier runs never collides with them
 * (and the assertions only look at this domain's events).
 */
export class E2eEdition {
  readonly edition: StandardEdition;
  readonly domain: string;
  readonly backend: E2eBackend;
  readonly #log: RecordedEvent<DomainEvent>[] = [];
  #readUpTo = 0n;

  private constructor(edition: StandardEdition, domain: string, backend: E2eBackend) {
    this.edition = edition;
    this.domain = domain;
    this.backend = backend;
  }

  static async start(options: E2eEditionOptions): Promise<E2eEdition> {
    const domain = `e2e-${randomBytes(4).toString('hex')}.test`;
    const databaseUrl = process.env['DATABASE_URL'];
    const config = loadConfig({
      ...(options.backend === 'postgres' && databaseUrl ? { CHORUS_STORE: 'postgres', DATABASE_URL: databaseUrl } : { CHORUS_DATA_DIR: 'memory://' }),
      CHORUS_DEMO: 'off',
      CHORUS_DOMAIN: domain,
      CHORUS_ADMIN_TOKEN: 'e2e-admin-token-0123456789',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const sip = loadSipFrontEndConfig({
      SIP_HOST: '127.0.0.1',
      ...(options.digestAlgorithms ? { SIP_DIGEST_ALGORITHMS: options.digestAlgorithms } : {}),
    });
    const edition = await startStandardEdition(config, {
      logger: silentLogger,
      metrics: createMetricsRegistry({ defaultMetrics: false }),
      sip,
    });
    const e = new E2eEdition(edition, domain, options.backend);
    // A PostgreSQL log may hold earlier runs: start reading at this run's beginning.
    e.#readUpTo = await edition.store.headPosition();
    return e;
  }

  /** Where SIP listens on `protocol` (udp/tcp): the real port chosen by the OS. */
  sipPort(protocol: 'udp' | 'tcp' = 'udp'): number {
    const l = this.edition.sipListening.find((x) => x.protocol.toLowerCase() === protocol);
    if (!l) throw new Error(`the edition does not listen on ${protocol}: ${JSON.stringify(this.edition.sipListening)}`);
    return l.port;
  }

  uri(user: string): string {
    return `sip:${user}@${this.domain}`;
  }

  /** An HTTP call to the edition's API with the admin token; fails the test on a non-2xx answer. */
  async api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.edition.httpUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.edition.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** POST /users with a password (and any other AddUser fields) per user, then waits until the SIP plane's directory knows them. */
  async provision(users: string | readonly string[], extra: Record<string, unknown> = {}): Promise<void> {
    for (const user of typeof users === 'string' ? [users] : users) await this.api('POST', '/users', { sipUri: this.uri(user), password: PASSWORD, ...extra });
    await this.settled();
  }

  /** Waits until every projection and view has applied the whole log. */
  async settled(): Promise<void> {
    const head = await this.edition.store.headPosition();
    await this.edition.projections.waitForPosition(head, 10_000);
  }

  /** Every event this run wrote (from the log's head at start), oldest first; reads only what is new since the last call. */
  async events(): Promise<readonly RecordedEvent<DomainEvent>[]> {
    for (;;) {
      const page = await this.edition.store.readAll({ after: this.#readUpTo, limit: 1_000 });
      const last = page[page.length - 1];
      if (last === undefined) break;
      this.#readUpTo = last.globalPosition;
      this.#log.push(...page);
    }
    return this.#log;
  }

  /** The events of `type` whose data matches `where`, waiting (a hang guard) until `count` of them are in the log. */
  async waitForEvents(type: DomainEvent['type'], count: number, where: (data: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>[]> {
    let found: Record<string, unknown>[] = [];
    await waitUntil(`${count} × ${type} in the log`, async () => {
      found = (await this.events()).filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>).filter(where);
      return found.length >= count;
    });
    return found;
  }

  /** The call.* event types (without prefix and version) of one SIP Call-ID, in log order. */
  async callEventTypes(sipCallId: string): Promise<string[]> {
    return (await this.callEvents(sipCallId)).map((e) => e.type.replace(/^call\.|\.v1$/g, ''));
  }

  async callEvents(sipCallId: string): Promise<readonly RecordedEvent<DomainEvent>[]> {
    return (await this.events()).filter((e) => e.type.startsWith('call.') && (e.data as { sipCallId?: string }).sipCallId === sipCallId);
  }

  /** SIPp against this edition's UDP (or TCP) SIP port. */
  sipp(options: SippOptions): Promise<SippResult> {
    return SippProcess.run({
      remote: { host: '127.0.0.1', port: this.sipPort(options.transport ?? 'udp') },
      logger: silentLogger,
      timeoutMs: 30_000,
      ...options,
    });
  }

  /** Injection rows acting as `users` (password PASSWORD), each targeting `target` when given. */
  rows(users: readonly string[], target?: string): InjectionRow[] {
    return users.map((user) => ({ user, domain: this.domain, password: PASSWORD, ...(target ? { target } : {}) }));
  }

  /** Registers `user` with SIPp bound to `localPort`, so a UAS started there later gets the user's requests. */
  async registerContact(user: string, localPort: number): Promise<void> {
    assertAllSucceeded(await this.sipp({ scenario: 'register', injection: this.rows([user]), localPort }), 1);
    await this.settled();
  }

  close(): Promise<void> {
    return this.edition.close();
  }
}
