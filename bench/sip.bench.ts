/**
 * SIP plane benchmark (issue 4 "Benchmarks"): the Chorus Standard Edition on PostgreSQL, in this
 * process, against Kamailio (infra/kamailio, usrloc write-through to PostgreSQL) in the same run.
 *
 *   DATABASE_URL=postgres://… npm run bench:sip
 *   BENCH_SIP_USERS=500 BENCH_SIP_WATCHERS=100 BENCH_SIP_SCALE_USERS=1000 npm run bench:sip   # quick check
 *
 * Environment (defaults in brackets):
 *   DATABASE_URL            PostgreSQL for Chorus's log; Kamailio gets <name>_kamailio   [required]
 *   BENCH_SIP_USERS         distinct users registered, Chorus and Kamailio alike        [10000]
 *   BENCH_SIP_RATE          SIPp -r: new REGISTER transactions per second offered        [20000]
 *   BENCH_SIP_CONCURRENCY   SIPp -l: registrations in flight at once                     [200]
 *   BENCH_SIP_WATCHERS      presence subscriptions to one presentity                     [1000]
 *   BENCH_SIP_SCALE_USERS   registered endpoints each watching one other user; 0 skips   [100000]
 *   BENCH_SIP_LOG_LEVEL     the edition's log level, on stderr (failures are counted     [fatal]
 *                           in the report either way; `warn` shows each one)
 *   BENCH_SIP_HEAPSNAPSHOT  1: write a V8 heap snapshot (cwd) after the scale phase's     [0]
 *                           subscriptions, to see what the per-user memory is made of
 *
 * 1. REGISTER with MD5 digest (SIPp, bench/sipp/register-stable-call-id.xml = the test fixture
 *    register.xml with CSeqs from -key; one call = one user) for users user1..userN: Chorus, then
 *    Kamailio with the same SIPp settings. Rate = successful calls / SIPp's run time (its stats'
 *    StartTime → CurrentTime). Durability is checked, not assumed: endpoint.registered.v1 events
 *    appended during the run, and Kamailio's location rows.
 * 2. Presence fan-out: W watchers (bench/sip-watchers.ts, a child process) subscribed to user1,
 *    whose phone (same process) registered; one PIDF PUBLISH from it → time from sending the
 *    authenticated PUBLISH until each watcher's NOTIFY arrives.
 * 3. Scale: S users registered, each watching the next one (a ring); resident memory of this
 *    process (the edition's, plus this harness's few MB), and the REGISTER refresh rate: another
 *    SIPp round over the same S users with the same Call-IDs and contacts and higher CSeqs, which
 *    must append S endpoint.refreshed.v1 events.
 *
 * Writes a table and bench/results/sip-<date>.{json,txt}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { setCredentialsFor } from '../src/commands/dispatch/user-credentials.ts';
import { startStandardEdition, type StandardEdition } from '../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../src/metrics/metrics-registry.ts';
import { loadSipFrontEndConfig } from '../src/realtime/front-end/sip-front-end-config.ts';
import { KamailioPeer, kamailioSubscriber, kamailioUnavailableReason } from '../test/support/kamailio/kamailio-peer.ts';
import { describeSippResult, freePort, SippProcess, type InjectionRow } from '../test/support/sipp/index.ts';
import { WatcherReportSchema, type WatcherCommand, type WatcherReport } from './sip-watchers-protocol.ts';

const intEnv = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${raw}`);
  return value;
};

const USERS = intEnv('BENCH_SIP_USERS', 10_000);
const RATE = intEnv('BENCH_SIP_RATE', 20_000);
const CONCURRENCY = intEnv('BENCH_SIP_CONCURRENCY', 200);
const WATCHERS = intEnv('BENCH_SIP_WATCHERS', 1_000);
const SCALE_USERS = intEnv('BENCH_SIP_SCALE_USERS', 100_000);
const GOAL = { kamailioRatio: 1.0, fanoutP99Ms: 100, scaleRssBytes: 2 * 1024 ** 3 } as const;
/** The sizes the issue sets its goals at: a verdict at a smaller size says so. */
const GOAL_SIZE = { watchers: 1_000, scaleUsers: 100_000 } as const;
const atSize = (verdict: string, size: number, goalSize: number): string =>
  size >= goalSize ? verdict : `${verdict} at ${fmt(size)} (goal is for ${fmt(goalSize)})`;
/** How long the fan-out waits for the last NOTIFY before counting the missing ones as lost. */
const NOTIFY_TIMEOUT_MS = 10_000;
/** Provisioning commands in flight: enough for the store's group commit to batch them. */
const PROVISION_LANES = 64;

const log = pino({ level: process.env['BENCH_SIP_LOG_LEVEL'] ?? 'fatal' }, pino.destination(2));
const now = (): number => performance.timeOrigin + performance.now();
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number): string => `${fmt(bytes / 1024 ** 2)} MB`;

interface RegisterRun {
  readonly target: 'chorus' | 'kamailio';
  readonly users: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  readonly elapsedSeconds: number;
  readonly perSecond: number;
  /** endpoint.registered.v1 / endpoint.refreshed.v1 events appended (Chorus) or location rows (Kamailio). */
  readonly durable: number;
  /** Chorus: appends and the transactions they shared during the run (group commit); null for Kamailio. */
  readonly groupCommit: { readonly appends: number; readonly transactions: number; readonly maxBatch: number } | null;
  readonly durableWhat: string;
  readonly failures: Readonly<Record<string, number>>;
}

interface Fanout {
  readonly watchers: number;
  readonly subscribed: number;
  readonly subscribeFailed: number;
  /** SUBSCRIBEs answered 500 (conflicting appends on the presentity's stream) and tried again. */
  readonly subscribeRetried500: number;
  readonly subscribeSeconds: number;
  readonly received: number;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** NOTIFYs at or after one retransmission interval (T1, 500 ms), where a lost first copy would land. */
  readonly over500Ms: number;
}

interface Scale {
  readonly users: number;
  readonly registered: number;
  readonly watching: number;
  readonly rssBytes: number;
  readonly maxRssBytes: number;
  readonly heapUsedBytes: number;
  readonly refresh: RegisterRun;
}

// ------------------------------------------------------------------------------------------------
// Users: user<i> with password user<i>-pw, as infra/kamailio/kamailio.sh provisions them.

const rowsFor = (domain: string, from: number, to: number): InjectionRow[] =>
  Array.from({ length: to - from + 1 }, (_, k) => kamailioSubscriber(from + k, domain));

async function provision(edition: StandardEdition, domain: string, count: number): Promise<number> {
  const started = performance.now();
  let next = 1;
  const lane = async (): Promise<void> => {
    while (next <= count) {
      const { user, password } = kamailioSubscriber(next++, domain);
      const sipUri = `sip:${user}@${domain}`;
      await edition.dispatcher.user(
        sipUri,
        [{ type: 'ProvisionUser', data: { sipUri, displayName: user } }, setCredentialsFor(sipUri, password)],
        { actor: 'system:bench' },
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROVISION_LANES, count) }, lane));
  await settled(edition);
  return count / ((performance.now() - started) / 1000);
}

/** Every projection and hot-path view has applied the whole log (the registrar reads credentials from a view). */
async function settled(edition: StandardEdition): Promise<void> {
  await edition.projections.waitForPosition(await edition.store.headPosition(), 600_000);
}

// ------------------------------------------------------------------------------------------------
// SIPp REGISTER runs.

/**
 * The run's length by SIPp's own clock. Its ElapsedTime(C) column has whole seconds only (3.6.1:
 * `00:00:02`), too coarse for short runs; StartTime and CurrentTime end in the epoch with
 * microseconds (`2026-11-26<TAB>02:43:49.382689<TAB>1795661029.382689`), and the last line is
 * written when SIPp exits.
 */
function elapsedSeconds(statsCsv: string): number {
  const lines = statsCsv.split('\n').filter((l) => l.trim() !== '');
  const names = lines[0]?.split(';') ?? [];
  const values = lines.at(-1)?.split(';') ?? [];
  const epoch = (column: string): number => {
    const raw = values[names.indexOf(column)];
    const value = Number(raw?.split('\t').at(-1));
    if (!Number.isFinite(value)) throw new Error(`SIPp stats: unreadable ${column} ${raw}`);
    return value;
  };
  return epoch('CurrentTime') - epoch('StartTime');
}

const REGISTER_SCENARIO = fileURLToPath(new URL('./sipp/register-stable-call-id.xml', import.meta.url));

/**
 * Where a user's binding is in its life: `first` (CSeq 1, 2), then each later round two higher. Call
 * n's Call-ID is `<callIdPrefix>-n@127.0.0.1` in every round (SIPp -cid_str without the pid), so
 * round 2 over the same users refreshes the bindings of round 1 rather than adding new ones.
 */
interface RegisterRound {
  readonly callIdPrefix: string;
  readonly round: number;
  /**
   * SIPp's port, which is every binding's Contact: a refresh must name the same contact, or it is
   * another binding (RFC 3261 10.3 step 7 compares contacts). Default: a free port per run.
   */
  readonly localPort?: number;
}

async function sippRegister(
  target: RegisterRun['target'],
  remote: { host: string; port: number },
  rows: readonly InjectionRow[],
  round: RegisterRound,
  durable: () => Promise<{ count: number; what: string }>,
  commits: () => Promise<RegisterRun['groupCommit']> = async () => null,
): Promise<RegisterRun> {
  const workDir = await mkdtemp(join(tmpdir(), `chorus-bench-sipp-${target}-`));
  try {
    const result = await SippProcess.run({
      scenario: { file: REGISTER_SCENARIO },
      remote,
      injection: rows,
      injectionOrder: 'SEQUENTIAL',
      calls: rows.length,
      rate: RATE,
      maxConcurrent: CONCURRENCY,
      keys: { expires: '3600', cseq_challenged: String(2 * round.round - 1), cseq_authorized: String(2 * round.round) },
      extraArgs: ['-cid_str', `${round.callIdPrefix}-%u@%s`],
      ...(round.localPort !== undefined ? { localPort: round.localPort } : {}),
      // Generous: a slow machine must produce a slow figure, not an aborted run.
      timeoutMs: 120_000 + rows.length * 30,
      recvTimeoutMs: 10_000,
      workDir,
      logger: log,
    });
    const c = result.counters;
    if (!c) throw new Error(`SIPp against ${target} wrote no statistics\n${describeSippResult(result)}`);
    if (c.failed > 0) console.log(`# ${target}: ${c.failed} failed registrations\n${describeSippResult(result).split('\n').slice(0, 8).join('\n')}`);
    const seconds = elapsedSeconds(await readFile(join(workDir, 'stats.csv'), 'utf8'));
    const d = await durable();
    const groupCommit = await commits();
    return {
      target,
      users: rows.length,
      successful: c.successful,
      failed: c.failed,
      retransmissions: c.retransmissions,
      elapsedSeconds: seconds,
      perSecond: c.successful / seconds,
      durable: d.count,
      durableWhat: d.what,
      groupCommit,
      failures: c.failures,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function queryRows(url: string, sql: string, params: unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<Record<string, unknown>>(sql, params);
  } finally {
    await client.end();
  }
}

async function countRows(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

const COUNT_EVENTS_SINCE = `SELECT count(*) AS n FROM chorus_events WHERE event_type = ANY($1::text[]) AND global_position > $2`;
const COUNT_LOCATIONS = `SELECT count(*) AS n FROM location`;
/**
 * How the run's appends shared transactions: recordedAt is the append transaction's timestamp (µs),
 * the same for every event of one group-committed batch. One REGISTER appends one such event.
 */
const GROUP_COMMIT_SINCE = `SELECT count(*) AS appends, count(DISTINCT r) AS transactions, max(c) AS max_batch FROM (
  SELECT metadata->>'recordedAt' AS r, count(*) OVER (PARTITION BY metadata->>'recordedAt') AS c
  FROM chorus_events WHERE event_type = ANY($1::text[]) AND global_position > $2) t`;

async function registerChorus(
  edition: StandardEdition,
  url: string,
  remote: { host: string; port: number },
  rows: readonly InjectionRow[],
  round: RegisterRound,
  /** What each successful REGISTER must have appended (one of them per REGISTER). */
  eventTypes: ReadonlyArray<'endpoint.registered.v1' | 'endpoint.refreshed.v1'>,
): Promise<RegisterRun> {
  const before = await edition.store.headPosition();
  return sippRegister(
    'chorus',
    remote,
    rows,
    round,
    async () => ({
      count: await countRows(url, COUNT_EVENTS_SINCE, [eventTypes, String(before)]),
      what: `${eventTypes.map((t) => t.replace(/\.v1$/, '')).join('+')} events`,
    }),
    async () => {
      const { rows } = await queryRows(url, GROUP_COMMIT_SINCE, [eventTypes, String(before)]);
      const row = rows[0] ?? {};
      return { appends: Number(row['appends'] ?? 0), transactions: Number(row['transactions'] ?? 0), maxBatch: Number(row['max_batch'] ?? 0) };
    },
  );
}

function kamailioDbUrl(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.pathname = `${u.pathname}_kamailio`;
  return u.toString();
}

async function registerKamailio(url: string, domain: string, rows: readonly InjectionRow[], round: RegisterRound): Promise<RegisterRun | string> {
  const unavailable = kamailioUnavailableReason();
  if (unavailable) return unavailable;
  const dbUrl = kamailioDbUrl(url);
  const peer = await KamailioPeer.start({ dbUrl, subscribers: rows.length, domain, logger: log });
  try {
    return await sippRegister('kamailio', { host: peer.host, port: peer.port }, rows, round, async () => ({
      count: await countRows(dbUrl, COUNT_LOCATIONS),
      what: 'location rows',
    }));
  } finally {
    await peer.close();
  }
}

// ------------------------------------------------------------------------------------------------
// Watchers (bench/sip-watchers.ts in a child process).

class WatcherProcess {
  readonly #child: ChildProcess;
  readonly #waiting: Array<{ type: WatcherReport['type']; resolve: (r: WatcherReport) => void }> = [];

  constructor() {
    this.#child = fork(fileURLToPath(new URL('./sip-watchers.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (raw) => {
      const report = WatcherReportSchema.parse(raw);
      const i = this.#waiting.findIndex((w) => w.type === report.type);
      if (i >= 0) this.#waiting.splice(i, 1)[0]!.resolve(report);
    });
  }

  ask<T extends WatcherReport['type']>(command: WatcherCommand, answer: T): Promise<Extract<WatcherReport, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => reject(new Error(`watcher process exited (${code}) before answering ${command.type}`)));
      this.#waiting.push({ type: answer, resolve: (r) => resolve(r as Extract<WatcherReport, { type: T }>) });
      this.#child.send(command);
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || !this.#child.connected) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ type: 'close' } satisfies WatcherCommand);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

const percentile = (sorted: readonly number[], p: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function fanout(edition: StandardEdition, domain: string, port: number, watchers: WatcherProcess): Promise<Fanout | string> {
  const presentity = kamailioSubscriber(1, domain);
  // The presentity's phone registers first, so its own presence change is over before anyone watches.
  const registered = await watchers.ask({ type: 'register', host: '127.0.0.1', port, domain, user: presentity.user, password: presentity.password }, 'registered');
  if (registered.error) return `the presentity could not register: ${registered.error}`;
  const ready = await watchers.ask(
    {
      type: 'start',
      host: '127.0.0.1',
      port,
      domain,
      watchers: rowsFor(domain, 2, WATCHERS + 1).map((r) => ({ user: r.user, password: r.password, presentity: presentity.user })),
      // All of them append to the presentity's one stream, and a lost race is a 500 (sip-watchers.ts):
      // more in flight only adds retries (16 took 275 s for 1,000 on 2 loaded cores, 1,492 retries).
      concurrency: 2,
    },
    'ready',
  );
  if (ready.firstError) console.log(`# fan-out: ${ready.failed} subscriptions failed, first: ${ready.firstError}`);
  // Initial NOTIFYs and the watcher_subscribed events settle before the measured change.
  await settled(edition);
  await new Promise((r) => setTimeout(r, 500));
  const published = await watchers.ask({ type: 'publish', domain, user: presentity.user, password: presentity.password, note: `bench ${Date.now()}` }, 'published');
  if (published.error || published.t0 === null) return `PUBLISH failed: ${published.error ?? 'no t0'}`;
  if (published.status !== 200) return `PUBLISH answered ${published.status}`;
  const t0 = published.t0;
  let at: (number | null)[] = [];
  for (const deadline = now() + NOTIFY_TIMEOUT_MS; ; ) {
    at = (await watchers.ask({ type: 'collect' }, 'arrivals')).at;
    if (at.every((x) => x !== null) || now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Both instants are on the watcher process's clock.
  const latencies = at.filter((x): x is number => x !== null).map((x) => x - t0).sort((a, b) => a - b);
  return {
    watchers: WATCHERS,
    subscribed: ready.subscribed,
    subscribeFailed: ready.failed,
    subscribeRetried500: ready.retried500,
    subscribeSeconds: ready.seconds,
    received: latencies.length,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? null,
    over500Ms: latencies.filter((l) => l >= 500).length,
  };
}

// ------------------------------------------------------------------------------------------------
// Scale.

async function scale(
  edition: StandardEdition,
  url: string,
  domain: string,
  remote: { host: string; port: number },
  round: Omit<RegisterRound, 'round'>,
): Promise<Scale> {
  let maxRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 250);
  const watchers = new WatcherProcess();
  try {
    const rows = rowsFor(domain, 1, SCALE_USERS);
    // Users 1..USERS are registered already (phase 1, round 1): their REGISTERs here are refreshes, the rest new.
    const initial = await registerChorus(edition, url, remote, rows, { ...round, round: 2 }, ['endpoint.registered.v1', 'endpoint.refreshed.v1']);
    console.log(`scale: ${fmt(initial.successful)} of ${fmt(SCALE_USERS)} registered (${fmt(initial.perSecond)}/s)`);
    const ring = rows.map((r, i) => ({ user: r.user, password: r.password, presentity: rows[(i + 1) % rows.length]!.user }));
    const ready = await watchers.ask({ type: 'start', host: '127.0.0.1', port: remote.port, domain, watchers: ring, concurrency: 100 }, 'ready');
    if (ready.firstError) console.log(`# scale: ${ready.failed} subscriptions failed, first: ${ready.firstError}`);
    console.log(`scale: ${fmt(ready.subscribed)} subscriptions in ${ready.seconds.toFixed(1)} s (${fmt(ready.retried500)} retried after 500)`);
    await settled(edition);
    const rss = process.memoryUsage().rss;
    const heapUsed = process.memoryUsage().heapUsed;
    if (process.env['BENCH_SIP_HEAPSNAPSHOT'] === '1') console.log(`scale: heap snapshot ${writeHeapSnapshot()}`);
    const refresh = await registerChorus(edition, url, remote, rows, { ...round, round: 3 }, ['endpoint.refreshed.v1']);
    await settled(edition);
    return {
      users: SCALE_USERS,
      registered: initial.successful,
      watching: ready.subscribed,
      rssBytes: rss,
      maxRssBytes: Math.max(maxRss, process.memoryUsage().rss),
      heapUsedBytes: heapUsed,
      refresh,
    };
  } finally {
    clearInterval(sampler);
    // The edition still holds these subscriptions: it must close first (final NOTIFYs are answered).
    pendingWatchers.push(watchers);
  }
}
const pendingWatchers: WatcherProcess[] = [];

// ------------------------------------------------------------------------------------------------
// Report.

function table(header: readonly string[], lines: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(1));

function report(chorus: RegisterRun, kamailio: RegisterRun | string, fan: Fanout | string, sc: Scale | string): string {
  const k = typeof kamailio === 'string' ? undefined : kamailio;
  const ratio = k ? chorus.perSecond / k.perSecond : undefined;
  const reg = table(
    ['REGISTER (digest, durable)', 'users', 'ok', 'failed', 'retrans', 'seconds', 'REGISTER/s', 'durable', 'durable count'],
    [chorus, ...(k ? [k] : [])].map((r) => [
      r.target === 'chorus' ? 'Chorus on PostgreSQL' : 'Kamailio, usrloc db_mode 1',
      fmt(r.users), fmt(r.successful), fmt(r.failed), fmt(r.retransmissions), r.elapsedSeconds.toFixed(2), fmt(r.perSecond),
      r.durableWhat, `${fmt(r.durable)}${r.durable === r.successful ? '' : ' (≠ ok)'}`,
    ]),
  );
  const goals = table(
    ['measure', 'Chorus', 'peer / goal', 'result'],
    [
      [
        'REGISTER/s vs Kamailio',
        fmt(chorus.perSecond),
        k ? `Kamailio ${fmt(k.perSecond)}, goal ≥ ${GOAL.kamailioRatio.toFixed(1)} ×` : `Kamailio not run: ${String(kamailio)}`,
        ratio === undefined ? 'not measured' : `${ratio.toFixed(2)} × ${ratio >= GOAL.kamailioRatio ? 'PASS' : 'MISS'}`,
      ],
      typeof fan === 'string'
        ? ['presence fan-out p99', 'not measured', `< ${GOAL.fanoutP99Ms} ms`, fan]
        : [
            `presence fan-out p99 (${fmt(fan.received)}/${fmt(fan.watchers)} NOTIFYs)`,
            `${ms(fan.p99Ms)} ms`,
            `< ${GOAL.fanoutP99Ms} ms`,
            atSize(fan.p99Ms === null || fan.received < fan.watchers ? 'MISS' : fan.p99Ms < GOAL.fanoutP99Ms ? 'PASS' : 'MISS', fan.watchers, GOAL_SIZE.watchers),
          ],
      typeof sc === 'string'
        ? ['scale RSS', 'not measured', '≤ 2 GB', sc]
        : [
            `scale RSS (${fmt(sc.registered)} registered, ${fmt(sc.watching)} watching)`,
            mb(sc.maxRssBytes),
            '≤ 2 GB',
            atSize(
              sc.registered < sc.users || sc.watching < sc.users ? 'MISS (not all up)' : sc.maxRssBytes <= GOAL.scaleRssBytes ? 'PASS' : 'MISS',
              sc.users,
              GOAL_SIZE.scaleUsers,
            ),
          ],
      typeof sc === 'string'
        ? ['scale REGISTER refresh/s', 'not measured', '-', sc]
        : [
            `scale REGISTER refresh/s (${fmt(sc.refresh.successful)} ok, ${fmt(sc.refresh.failed)} failed)`,
            fmt(sc.refresh.perSecond),
            k ? `Kamailio initial ${fmt(k.perSecond)}` : '-',
            `${fmt(sc.refresh.durable)} ${sc.refresh.durableWhat}`,
          ],
    ],
  );
  const fanDetail =
    typeof fan === 'string'
      ? `presence fan-out: not measured (${fan})`
      : `presence fan-out: ${fmt(fan.subscribed)} of ${fmt(fan.watchers)} watchers subscribed in ${fan.subscribeSeconds.toFixed(1)} s` +
        ` (${fmt(fan.subscribeFailed)} failed, ${fmt(fan.subscribeRetried500)} retried after 500);` +
        ` NOTIFY latency p50 ${ms(fan.p50Ms)} ms, p90 ${ms(fan.p90Ms)} ms, p99 ${ms(fan.p99Ms)} ms, max ${ms(fan.maxMs)} ms` +
        `, ${fmt(fan.over500Ms)} at ≥ 500 ms; ${fmt(fan.received)} received`;
  const scaleDetail =
    typeof sc === 'string'
      ? `scale: not measured (${sc})`
      : `scale: ${fmt(sc.users)} users; RSS after subscribing ${mb(sc.rssBytes)}, max during phase ${mb(sc.maxRssBytes)}, heap used ${mb(sc.heapUsedBytes)};` +
        ` refresh of ${fmt(sc.refresh.users)} bindings at ${fmt(sc.refresh.perSecond)}/s in ${sc.refresh.elapsedSeconds.toFixed(1)} s`;
  const commitDetail = (what: string, r: RegisterRun): string =>
    r.groupCommit === null
      ? `${what}: group commit not measured`
      : `${what}: ${fmt(r.groupCommit.appends)} appends in ${fmt(r.groupCommit.transactions)} transactions` +
        ` (mean ${(r.groupCommit.appends / Math.max(1, r.groupCommit.transactions)).toFixed(1)} per transaction, largest ${fmt(r.groupCommit.maxBatch)})`;
  const commits = [commitDetail('group commit, Chorus REGISTER run', chorus), ...(typeof sc === 'string' ? [] : [commitDetail('group commit, scale refresh run', sc.refresh)])].join('\n');
  return `${reg}\n\n${goals}\n\n${fanDetail}\n${scaleDetail}\n${commits}\n`;
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  // Other work on the machine moves every figure here: the load average goes into the report.
  const loadAtStart = loadavg()[0]!;
  const url = process.env['DATABASE_URL'];
  if (!url) {
    console.log('# bench:sip needs DATABASE_URL (PostgreSQL): Chorus logs there, Kamailio uses <name>_kamailio');
    process.exitCode = 2;
    return;
  }
  // A fresh domain per run: a database holding earlier runs' users never collides with this one.
  const runId = randomBytes(3).toString('hex');
  const domain = `bench-${runId}.test`;
  const callIdPrefix = `bench-${runId}`;
  // One SIPp port for every Chorus round, so later rounds refresh the same contacts.
  const chorusRound = { callIdPrefix, localPort: await freePort() };
  const config = loadConfig({
    CHORUS_STORE: 'postgres',
    DATABASE_URL: url,
    CHORUS_DOMAIN: domain,
    CHORUS_DEMO: 'off',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    SIP_PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const sip = loadSipFrontEndConfig({
    SIP_HOST: '127.0.0.1',
    SIP_TRANSPORTS: 'udp',
    // SIPp 3.6 answers only the first challenge, and only MD5.
    SIP_DIGEST_ALGORITHMS: 'MD5',
    // Every load generator here sends from loopback: the per-source limiter would measure itself.
    SIP_RATE_EXEMPT: '127.0.0.1',
  });
  const edition = await startStandardEdition(config, { logger: log, metrics: createMetricsRegistry({ defaultMetrics: false }), sip });
  const udp = edition.sipListening.find((l) => l.protocol.toLowerCase() === 'udp');
  if (!udp) throw new Error(`the edition does not listen on UDP: ${JSON.stringify(edition.sipListening)}`);
  const remote = { host: '127.0.0.1', port: udp.port };
  const fanWatchers = new WatcherProcess();
  let text = '';
  let json: Record<string, unknown> = {};
  try {
    const total = Math.max(USERS, WATCHERS + 1, SCALE_USERS);
    console.log(`Chorus SIP on udp 127.0.0.1:${udp.port}, domain ${domain}; provisioning ${fmt(total)} users…`);
    const provisionRate = await provision(edition, domain, total);
    console.log(`provisioned ${fmt(total)} users at ${fmt(provisionRate)} users/s`);

    const rows = rowsFor(domain, 1, USERS);
    const chorus = await registerChorus(edition, url, remote, rows, { ...chorusRound, round: 1 }, ['endpoint.registered.v1']);
    console.log(`chorus:   ${fmt(chorus.successful)} registered at ${fmt(chorus.perSecond)}/s; ${fmt(chorus.durable)} ${chorus.durableWhat}`);
    await settled(edition);
    const kamailio = await registerKamailio(url, domain, rows, { callIdPrefix, round: 1 });
    console.log(
      typeof kamailio === 'string'
        ? `# kamailio not run: ${kamailio}`
        : `kamailio: ${fmt(kamailio.successful)} registered at ${fmt(kamailio.perSecond)}/s; ${fmt(kamailio.durable)} ${kamailio.durableWhat}`,
    );

    const fan: Fanout | string = WATCHERS > 0 ? await fanout(edition, domain, udp.port, fanWatchers) : 'BENCH_SIP_WATCHERS=0';
    if (typeof fan === 'string') console.log(`# fan-out not measured: ${fan}`);
    if (typeof fan !== 'string') console.log(`fan-out:  ${fmt(fan.received)}/${fmt(fan.watchers)} NOTIFYs, p50 ${ms(fan.p50Ms)} ms, p99 ${ms(fan.p99Ms)} ms`);

    const sc: Scale | string = SCALE_USERS > 0 ? await scale(edition, url, domain, remote, chorusRound) : 'BENCH_SIP_SCALE_USERS=0';
    if (typeof sc !== 'string') console.log(`scale:    RSS ${mb(sc.maxRssBytes)}, refresh ${fmt(sc.refresh.perSecond)}/s`);

    text =
      `Chorus SIP benchmark, ${started.toISOString()} (SIPp -r ${fmt(RATE)} -l ${fmt(CONCURRENCY)}, UDP, MD5 digest; ` +
      `node ${process.version}, ${cpus().length} cores, load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end)\n\n` +
      report(chorus, kamailio, fan, sc);
    json = {
      startedAt: started.toISOString(),
      node: process.version,
      cores: cpus().length,
      loadAverage: { start: loadAtStart, end: loadavg()[0] },
      settings: { users: USERS, rate: RATE, concurrency: CONCURRENCY, watchers: WATCHERS, scaleUsers: SCALE_USERS },
      goals: GOAL,
      provisionUsersPerSec: provisionRate,
      register: { chorus, kamailio: typeof kamailio === 'string' ? { notRun: kamailio } : kamailio },
      ratio: typeof kamailio === 'string' ? null : chorus.perSecond / kamailio.perSecond,
      fanout: typeof fan === 'string' ? { notMeasured: fan } : fan,
      scale: typeof sc === 'string' ? { notMeasured: sc } : sc,
    };
  } finally {
    await edition.close();
    for (const w of [fanWatchers, ...pendingWatchers]) await w.close();
  }
  console.log(`\n${text}`);
  const date = started.toISOString().slice(0, 10);
  await mkdir('bench/results', { recursive: true });
  await writeFile(`bench/results/sip-${date}.txt`, text);
  await writeFile(`bench/results/sip-${date}.json`, JSON.stringify(json, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2));
  console.log(`wrote bench/results/sip-${date}.{json,txt} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

await main();
