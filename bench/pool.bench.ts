/**
 * The Pool edition's two figures, on a real Kafka broker and PostgreSQL (KAFKA_BROKERS, DATABASE_URL):
 *
 *   npm run bench:pool
 *   BENCH_POOL_SAMPLES=300 BENCH_POOL_EVENTS=20000 npm run bench:pool     # a quick check
 *
 * (a) Latency, append → visible in a projection on ANOTHER process, through Kafka: the bench appends
 *     domain events one append at a time, paced (BENCH_POOL_RATE appends/s, default 50, about 330 events/s; BENCH_POOL_SAMPLES,
 *     default 1,000), to the PostgreSQL log; `chorus serve --role relay` publishes them; observed at once by
 *       - a front end's presence view in its own process (bench/pool-view-child.ts: InMemoryView over
 *         KafkaViewFeed), which reports each position it reaches over IPC, timestamped with the shared wall clock;
 *       - `chorus serve --role projector`'s presence read model, whose checkpoint row the bench polls every
 *         BENCH_POOL_POLL_MS (default 2) ms: that figure carries up to one poll interval of error;
 *       - the same presence view in the bench process over the log's own subscription (LISTEN/NOTIFY): the
 *         Standard Edition's path, the in-process reference.
 *     Latency = visible − the instant the append was called. Goals: p99 < 50 ms via Kafka, < 5 ms in-process.
 * (b) Sustained events/s end to end: BENCH_POOL_EVENTS (default 50,000) events of the domain workload are in
 *     the log before a projector process (all eight domain projections) and then a relay process start; the
 *     figure is events / (first event acknowledged by the broker → every projection's checkpoint at the head).
 *     Goal ≥ 20,000 ev/s. The relay's own rate and the slowest / fastest projection are printed beside it.
 *
 * Each part runs in a scratch schema of DATABASE_URL's database and on its own topic
 * (`chorus-bench-pool-<run>-…`), both removed at the end. Writes bench/results/<BENCH_POOL_OUT>.txt
 * (default `pool-<date>`, e.g. BENCH_POOL_OUT=pool-2026-11-26-batched to keep an earlier run's file).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { openEventStorage, type EventStorage } from '../src/edition/event-storage.ts';
import { ensureEventTopic } from '../src/pool/event-topic.ts';
import { domainProjections } from '../src/projections/domain-projections.ts';
import { createHotPathViews } from '../src/projections/hot-path-views.ts';
import { PgClient } from '../src/storage/pg-client.ts';
import { createSchema, deleteTopic, rawKafka, runId, type TestSchema } from '../test/support/kafka/pool-harness.ts';
import { RoleProcess, roleEnv } from '../test/support/kafka/role-process.ts';
import { PoolViewReportSchema, wallClockMs, type PoolViewReport } from './pool-view-protocol.ts';
import { DomainWorkload, type WorkloadAppend } from './projections-workload.ts';

const SAMPLES = positiveInteger('BENCH_POOL_SAMPLES', 1_000);
const RATE = positiveInteger('BENCH_POOL_RATE', 50);
const POLL_MS = positiveInteger('BENCH_POOL_POLL_MS', 2);
const EVENTS = positiveInteger('BENCH_POOL_EVENTS', 50_000);
const WARMUP_APPENDS = 50;
const GOAL_KAFKA_P99_MS = 50;
const GOAL_IN_PROCESS_P99_MS = 5;
const GOAL_EVENTS_PER_SEC = 20_000;
const OUT = process.env['BENCH_POOL_OUT'] || `pool-${new Date().toISOString().slice(0, 10)}`;
const BROKERS = process.env['KAFKA_BROKERS'];
const DATABASE_URL = process.env['DATABASE_URL'];
const silent = pino({ level: 'silent' });
const run = runId();

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) {
    process.stderr.write(`bench:pool: ${name} must be a positive integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(1);
const out: string[] = [];
const print = (line = ''): void => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};
/** Progress on stderr, so stdout (and the results file) holds only the report. */
const progress = (text: string): void => void process.stderr.write(`bench:pool: ${text}\n`);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Positions a consumer reached, and when (wall clock ms), in order. */
class Observations {
  readonly name: string;
  readonly at: { position: bigint; at: number }[] = [];
  constructor(name: string) {
    this.name = name;
  }
  get position(): bigint {
    return this.at.at(-1)?.position ?? 0n;
  }
  record(position: bigint, at: number): void {
    if (position > this.position) this.at.push({ position, at });
  }
  async reach(position: bigint, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.position < position) {
      if (Date.now() > deadline) throw new Error(`${this.name} did not reach position ${position} in ${timeoutMs} ms (at ${this.position})`);
      await sleep(5);
    }
  }
  /** For each (position, t0) sample, ms from t0 until this consumer first reached it; samples in position order. */
  latencies(samples: readonly { position: bigint; t0: number }[]): number[] {
    const result: number[] = [];
    let i = 0;
    for (const s of samples) {
      while (i < this.at.length && this.at[i]!.position < s.position) i++;
      const seen = this.at[i];
      if (!seen) throw new Error(`${this.name} never reached ${s.position}`);
      result.push(seen.at - s.t0);
    }
    return result;
  }
}

/** The log as the server opens it (openEventStorage): appends pay what a front end's appends pay. */
function openLog(schema: TestSchema): Promise<EventStorage> {
  return openEventStorage(loadConfig({ CHORUS_STORE: 'postgres', DATABASE_URL: schema.url }));
}

function kafkaEnv(schema: TestSchema, topic: string, node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return roleEnv({
    CHORUS_STORE: 'postgres',
    DATABASE_URL: schema.url,
    KAFKA_BROKERS: BROKERS ?? '',
    CHORUS_KAFKA_TOPIC: topic,
    CHORUS_KAFKA_CLIENT_ID: `chorus-bench-pool-${run}`,
    CHORUS_KAFKA_CONNECT_TIMEOUT_MS: '20000',
    CHORUS_ADMIN_TOKEN: 'bench-pool-admin-token-0123456789',
    CHORUS_DEMO: 'off',
    CHORUS_NODE_ID: `${node}-${run}`,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  });
}

async function createTopic(topic: string): Promise<void> {
  const admin = rawKafka().admin();
  await admin.connect();
  try {
    await ensureEventTopic(admin, topic, { create: true });
  } finally {
    await admin.disconnect();
  }
}

/** The projector's checkpoint positions, by projection. */
async function checkpoints(client: PgClient): Promise<Map<string, bigint>> {
  const rows = (await client.query<{ name: string; position: string }>(`SELECT name, position::text AS position FROM chorus_projection_checkpoints`).catch(() => ({ rows: [] }))).rows;
  return new Map(rows.map((r) => [r.name, BigInt(r.position)]));
}

async function relayPosition(client: PgClient, topic: string): Promise<bigint> {
  const rows = (await client.query<{ position: string }>(`SELECT position::text AS position FROM chorus_relay_checkpoints WHERE name = $1`, [topic]).catch(() => ({ rows: [] }))).rows;
  return rows[0] ? BigInt(rows[0].position) : 0n;
}

/** The front end's view in its own process (bench/pool-view-child.ts). */
function startViewChild(env: NodeJS.ProcessEnv, observations: Observations): { child: ChildProcess; ready: Promise<void> } {
  const child = fork(fileURLToPath(new URL('./pool-view-child.ts', import.meta.url)), [], { env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (raw) => {
      const report: PoolViewReport = PoolViewReportSchema.parse(raw);
      switch (report.type) {
        case 'ready':
          observations.record(BigInt(report.position), wallClockMs());
          resolve();
          return;
        case 'visible':
          observations.record(BigInt(report.position), report.at);
          return;
        case 'failed':
          reject(new Error(`view process failed: ${report.error}`));
          return;
        default: {
          const unknown: never = report;
          throw new Error(`unknown report ${JSON.stringify(unknown)}`);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`view process exited (${String(code)}) before it was ready`)));
  });
  return { child, ready };
}

interface LatencyRow {
  readonly path: string;
  readonly goalMs: number;
  readonly sorted: number[];
}

async function latency(): Promise<{ rows: LatencyRow[]; eventsPerSec: number }> {
  const schema = await createSchema('chorus_bench_pool_latency');
  const topic = `chorus-bench-pool-${run}-latency`;
  const storage = await openLog(schema);
  const log = storage.store;
  const poller = new PgClient({ connectionString: schema.url, max: 1, applicationName: 'chorus-bench-pool-poller' });
  const processes: RoleProcess[] = [];
  let viewChild: ChildProcess | undefined;
  const views = createHotPathViews({ store: log, logger: silent });
  let polling = true;
  try {
    const appends = (function* (): Generator<WorkloadAppend> {
      // Rounds of 20 events: one append at a time, each a plausible next event of its stream.
      for (const round of new DomainWorkload({ events: (SAMPLES + WARMUP_APPENDS) * 25, users: 200, roundEvents: 20 }).rounds()) yield* round;
    })();
    const next = (): WorkloadAppend => {
      const a = appends.next();
      if (a.done) throw new Error('the workload ran out of appends');
      return a.value;
    };

    progress('latency: starting relay, projector and a front-end view process');
    await createTopic(topic);
    const projector = new RoleProcess('projector', 'projector', kafkaEnv(schema, topic, 'projector'));
    const relay = new RoleProcess('relay', 'relay', kafkaEnv(schema, topic, 'relay'));
    processes.push(projector, relay);
    await Promise.all([projector.url, relay.url]);
    const remote = new Observations('front-end view (other process, via Kafka)');
    const started = startViewChild(kafkaEnv(schema, topic, 'view'), remote);
    viewChild = started.child;
    await started.ready;

    const local = new Observations('presence view (bench process, log subscription)');
    await views.presence.start();
    void (async () => {
      for (;;) {
        try {
          await views.presence.waitForPosition(views.presence.position + 1n, 24 * 3_600_000);
        } catch {
          return; // closed
        }
        local.record(views.presence.position, wallClockMs());
      }
    })();
    const projected = new Observations('projector read model (other process, via Kafka; polled)');
    void (async () => {
      while (polling) {
        const position = (await checkpoints(poller)).get('presence');
        if (position !== undefined) projected.record(position, wallClockMs());
        await sleep(POLL_MS);
      }
    })();

    const samples: { position: bigint; t0: number; ackMs: number; events: number }[] = [];
    const interval = 1_000 / RATE;
    const total = WARMUP_APPENDS + SAMPLES;
    progress(`latency: ${WARMUP_APPENDS} warm-up + ${SAMPLES} appends at ${RATE}/s`);
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const a = next();
      const t0 = wallClockMs();
      const result = await log.append(a.streamId, a.events, { expectedVersion: a.expectedVersion });
      if (i >= WARMUP_APPENDS) samples.push({ position: result.positions.at(-1)!, t0, ackMs: wallClockMs() - t0, events: a.events.length });
      const wait = start + (i + 1) * interval - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const last = samples.at(-1)!.position;
    for (const o of [local, remote, projected]) await o.reach(last, 60_000);
    polling = false;

    const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
    const seconds = (samples.at(-1)!.t0 - samples[0]!.t0) / 1_000;
    const eventsPerSec = samples.reduce((sum, x) => sum + x.events, 0) / seconds;
    const rows: LatencyRow[] = [
      { path: 'in-process: log subscription → presence view (same process)', goalMs: GOAL_IN_PROCESS_P99_MS, sorted: sorted(local.latencies(samples)) },
      { path: 'via Kafka: relay → topic → front-end presence view (other process)', goalMs: GOAL_KAFKA_P99_MS, sorted: sorted(remote.latencies(samples)) },
      {
        path: `via Kafka: relay → topic → projector's presence table (other process; polled every ${POLL_MS} ms)`,
        goalMs: GOAL_KAFKA_P99_MS,
        sorted: sorted(projected.latencies(samples)),
      },
      { path: '(reference) the append itself: call → COMMIT acknowledged', goalMs: Number.NaN, sorted: sorted(samples.map((s) => s.ackMs)) },
    ];
    return { rows, eventsPerSec };
  } finally {
    polling = false;
    viewChild?.disconnect();
    await Promise.all(views.all.map((v) => v.close()));
    await Promise.all(processes.map((p) => p.stop()));
    await poller.close();
    await storage.close();
    await schema.drop();
    await deleteTopic(topic);
  }
}

interface Throughput {
  readonly events: number;
  readonly appendSeconds: number;
  readonly relaySeconds: number;
  readonly endToEndSeconds: number;
  readonly projections: readonly { name: string; seconds: number }[];
}

async function throughput(): Promise<Throughput> {
  const schema = await createSchema('chorus_bench_pool_throughput');
  const topic = `chorus-bench-pool-${run}-throughput`;
  const storage = await openLog(schema);
  const log = storage.store;
  const client = new PgClient({ connectionString: schema.url, max: 2, applicationName: 'chorus-bench-pool-progress' });
  const processes: RoleProcess[] = [];
  try {
    progress(`throughput: appending ${fmt(EVENTS)} events`);
    const appendStart = performance.now();
    for (const round of new DomainWorkload({ events: EVENTS }).rounds()) {
      // A round's appends touch distinct streams: concurrent, so the store group-commits them.
      await Promise.all(round.map((a) => log.append(a.streamId, a.events, { expectedVersion: a.expectedVersion })));
    }
    const appendSeconds = (performance.now() - appendStart) / 1_000;
    const head = await log.headPosition();

    progress('throughput: starting the projector (all domain projections), then the relay');
    await createTopic(topic);
    const projector = new RoleProcess('projector', 'projector', kafkaEnv(schema, topic, 'projector'));
    processes.push(projector);
    await projector.url;
    const relay = new RoleProcess('relay', 'relay', kafkaEnv(schema, topic, 'relay'));
    processes.push(relay);

    let relayFirst: number | undefined;
    let relayDone: number | undefined;
    const done = new Map<string, number>();
    const deadline = performance.now() + 30 * 60_000;
    while (done.size < domainProjections.length) {
      if (performance.now() > deadline) throw new Error(`not every projection reached ${head} within 30 minutes`);
      const now = performance.now();
      const relayAt = await relayPosition(client, topic);
      if (relayFirst === undefined && relayAt > 0n) relayFirst = now;
      if (relayDone === undefined && relayAt >= head) relayDone = now;
      for (const [name, position] of await checkpoints(client)) if (position >= head && !done.has(name)) done.set(name, now);
      await sleep(20);
    }
    if (relayFirst === undefined || relayDone === undefined) throw new Error('the relay was never seen publishing');
    const first = relayFirst;
    return {
      events: Number(head),
      appendSeconds,
      relaySeconds: (relayDone - first) / 1_000,
      endToEndSeconds: (Math.max(...done.values()) - first) / 1_000,
      projections: [...done].map(([name, at]) => ({ name, seconds: (at - first) / 1_000 })).sort((a, b) => a.seconds - b.seconds),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await client.close();
    await storage.close();
    await schema.drop();
    await deleteTopic(topic);
  }
}

async function main(): Promise<void> {
  if (!BROKERS || !DATABASE_URL) {
    process.stderr.write('bench:pool needs KAFKA_BROKERS (bash infra/kafka/kafka.sh start; KAFKA_BROKERS=127.0.0.1:9092) and DATABASE_URL (PostgreSQL)\n');
    process.exit(2);
  }
  const loadBefore = loadavg();
  print(`Chorus Pool benchmark, ${new Date().toISOString()} (node ${process.version}, ${cpus().length} cores, load average at start ${loadBefore.map((x) => x.toFixed(2)).join(' ')})`);
  print(`broker ${BROKERS} (one partition per topic), PostgreSQL log and read models in scratch schemas`);
  print();

  const { rows, eventsPerSec } = await latency();
  print(`(a) append → visible, ${fmt(SAMPLES)} appends at ${RATE}/s (1-20 domain events each: ${fmt(eventsPerSec)} events/s), after ${WARMUP_APPENDS} warm-up appends`);
  print();
  print(`${'path'.padEnd(98)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'max ms'.padStart(7)}  goal p99     result`);
  for (const r of rows) {
    const p99 = percentile(r.sorted, 99);
    const goal = Number.isNaN(r.goalMs) ? '—' : `< ${r.goalMs} ms`;
    const result = Number.isNaN(r.goalMs) ? '' : p99 < r.goalMs ? 'MET' : 'MISSED';
    print(`${r.path.padEnd(98)}  ${ms(percentile(r.sorted, 50)).padStart(7)}  ${ms(p99).padStart(7)}  ${ms(r.sorted.at(-1) ?? Number.NaN).padStart(7)}  ${goal.padEnd(11)}  ${result}`);
  }
  print();

  const t = await throughput();
  const e2e = t.events / t.endToEndSeconds;
  print(`(b) sustained end to end: ${fmt(t.events)} events in the log → relay process → topic → one projector process (${domainProjections.length} projections)`);
  print();
  print(`end to end (first event on the topic → every projection at the head)  ${fmt(e2e).padStart(8)} ev/s  (${t.endToEndSeconds.toFixed(1)} s)   goal ≥ ${fmt(GOAL_EVENTS_PER_SEC)} ev/s   ${e2e >= GOAL_EVENTS_PER_SEC ? 'MET' : 'MISSED'}`);
  print(`relay alone (log → broker acknowledged)                               ${fmt(t.events / t.relaySeconds).padStart(8)} ev/s  (${t.relaySeconds.toFixed(1)} s)`);
  for (const p of t.projections) print(`  projection ${p.name.padEnd(21)} at the head after ${p.seconds.toFixed(1).padStart(6)} s  → ${fmt(t.events / p.seconds).padStart(8)} ev/s`);
  print(`(loading the log first: ${fmt(t.events / t.appendSeconds)} ev/s appended, concurrent appends per round)`);
  print();
  const loadAfter = loadavg();
  print(`load average at end ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (2 cores shared with other work: figures vary run to run)`);

  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}${OUT}.txt`, `${out.join('\n')}\n`);
  progress(`written bench/results/${OUT}.txt`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:pool failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
