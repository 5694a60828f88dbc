/**
 * As-of latency for a user with 100,000 events: `userAsOf` (GET /replay,
 * `chorus replay --user`) at random instants of the user's history, with
 * as-of snapshots and without (a full scan), p50 / p99 beside the goal
 * (p99 < 50 ms with snapshots).
 *
 *   npm run bench:audit        (wired by the coordinator)
 *   npx tsx -e "import('./bench/audit-asof.ts').then(m=>m.run())"
 *
 * Backend: PostgreSQL when DATABASE_URL is set (its own database
 * `<name>_asof_bench`, emptied each run), else PGlite in memory.
 * ASOF_BENCH_EVENTS sets the user's events (default 100,000),
 * ASOF_BENCH_QUERIES the snapshot queries (default 300), ASOF_BENCH_SCANS the
 * full-scan queries (default 10: each reads the whole log),
 * ASOF_BENCH_INTERVAL the snapshot interval (default: AsOfSnapshots' own).
 *
 * The log is written through the append path with events the real deciders
 * produced (decided in memory, appended 200 per transaction so recordedAt
 * takes ~500 distinct values): the user registering and refreshing, setting
 * presence, changing forwarding; a second user; calls between them every
 * 250 events; a dial plan updated now and then.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EventProgress } from '../src/cli/progress.ts';
import { callDecider } from '../src/commands/call/call-decider.ts';
import type { CallCommand } from '../src/commands/call/call-commands.ts';
import type { CommandShape, Decider } from '../src/commands/decider.ts';
import { callStreamId, userStreamId, voiceConfigStreamId } from '../src/commands/stream-ids.ts';
import { userDecider } from '../src/commands/user/user-decider.ts';
import type { UserCommand } from '../src/commands/user/user-commands.ts';
import { voiceConfigDecider } from '../src/commands/voice-config/voice-config-decider.ts';
import type { VoiceConfigCommand } from '../src/commands/voice-config/voice-config-commands.ts';
import { domainCatalogue, type DomainEvent } from '../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../src/events/envelope.ts';
import type { EventStore } from '../src/events/event-store.ts';
import { PgliteEventStore } from '../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../src/events/store/postgres/postgres-event-store.ts';
import { AsOfSnapshots, userAsOf } from '../src/projections/as-of/index.ts';
import { PgClient } from '../src/storage/pg-client.ts';
import { PgliteClient } from '../src/storage/pglite-client.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';

const GOAL_P99_MS = 50;
const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const PER_APPEND = 200;

interface Backend {
  readonly name: 'pglite' | 'postgres';
  readonly client: SqlClient;
  readonly store: EventStore<DomainEvent>;
  close(): Promise<void>;
}

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

async function openBackend(): Promise<Backend> {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    const client = await PgliteClient.open();
    const store = await PgliteEventStore.open({ client, catalogue: domainCatalogue });
    return { name: 'pglite', client, store, close: async () => (await store.close(), await client.close()) };
  }
  const base = new URL(url);
  const database = `${base.pathname.replace(/^\//, '') || 'chorus'}_asof_bench`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${database}`;
  const client = new PgClient({ connectionString: base.toString(), max: 4, applicationName: 'chorus-asof-bench' });
  await client.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  const store = await PostgresEventStore.open({ client, catalogue: domainCatalogue });
  return { name: 'postgres', client, store, close: async () => (await store.close(), await client.close()) };
}

/** Decides commands in memory with the real deciders and appends their events in batches per stream. */
class LogWriter<C extends CommandShape, E extends DomainEvent, S> {
  #state: S;
  #version: number | null = null;
  #pending: NewEvent<DomainEvent>[] = [];
  written = 0;

  constructor(
    readonly store: EventStore<DomainEvent>,
    readonly decider: Decider<C, E, S>,
    readonly streamId: string,
    readonly clock: () => string,
  ) {
    this.#state = decider.initialState();
  }

  decide(command: C): readonly E[] {
    const at = this.clock();
    const events = this.decider.decide(command, this.#state, { now: () => at, newId: () => uuidv7() });
    for (const e of events) {
      this.#state = this.decider.evolve(this.#state, e);
      const metadata = { occurredAt: at, correlationId: 'asof-bench', causationId: null, actor: 'bench', node: 'bench' };
      this.#pending.push({ type: e.type, data: e.data, id: uuidv7(), metadata } as unknown as NewEvent<DomainEvent>);
    }
    return events;
  }

  get pending(): number {
    return this.#pending.length;
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const result = await this.store.append(this.streamId, batch, { expectedVersion: this.#version ?? 'no_stream' });
    this.#version = result.nextExpectedVersion;
    this.written += batch.length;
  }
}

async function buildLog(store: EventStore<DomainEvent>, events: number): Promise<void> {
  let now = Date.UTC(2026, 0, 5, 8, 0, 0);
  const clock = () => new Date(now).toISOString();
  const alice = new LogWriter<UserCommand, DomainEvent, unknown>(store, userDecider as never, userStreamId(ALICE), clock);
  const bob = new LogWriter<UserCommand, DomainEvent, unknown>(store, userDecider as never, userStreamId(BOB), clock);
  const plan = new LogWriter<VoiceConfigCommand, DomainEvent, unknown>(store, voiceConfigDecider as never, voiceConfigStreamId('dialplan', 'Redmond'), clock);
  const rules = (n: number) => [{ pattern: '^(\\d{4})$', translation: `+1425${String(n % 1000).padStart(3, '0')}$1` }];
  plan.decide({ type: 'DefineDialPlan', data: { name: 'Redmond', rules: rules(0) } });
  await plan.flush();
  alice.decide({ type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice', lineUri: 'tel:+14255550001', enterpriseVoiceEnabled: true, dialPlan: 'Redmond' } });
  bob.decide({ type: 'ProvisionUser', data: { sipUri: BOB, displayName: 'Bob', lineUri: 'tel:+14255550002' } });
  const register = { contact: 'sip:alice@192.0.2.10:5060', transport: 'udp', sourceAddress: '192.0.2.10:5060', expiresSeconds: 600 } as const;
  alice.decide({ type: 'RegisterEndpoint', data: register });
  bob.decide({ type: 'RegisterEndpoint', data: { contact: 'sip:bob@192.0.2.20:5060', transport: 'udp', sourceAddress: '192.0.2.20:5060', expiresSeconds: 3600 } });
  await bob.flush();
  const availabilities = ['available', 'busy', 'away', 'be_right_back', 'do_not_disturb'] as const;
  const progress = new EventProgress({ label: `build: ${ALICE}`, total: events, stream: process.stderr });
  let calls = 0;
  for (let i = 0; alice.written + alice.pending < events; i++) {
    now += 1_000;
    if (i % 3 === 0) alice.decide({ type: 'RegisterEndpoint', data: register });
    else if (i % 50 === 7) alice.decide({ type: 'SetForwarding', data: i % 100 === 7 ? { noAnswer: { afterSeconds: 20, target: BOB } } : {} });
    else alice.decide({ type: 'SetUserState', data: { availability: availabilities[i % availabilities.length]!, note: `step ${i}` } });
    if (i % 250 === 0) {
      const id = `bench-call-${calls++}@example.test`;
      const call = new LogWriter<CallCommand, DomainEvent, unknown>(store, callDecider as never, callStreamId(id), clock);
      call.decide({ type: 'InitiateCall', data: { sipCallId: id, caller: ALICE, dialledString: '0002', normalizedNumber: '+14255550002' } });
      call.decide({ type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: ['sip:bob@192.0.2.20:5060'] } } });
      call.decide({ type: 'AnswerCall', data: { contact: 'sip:bob@192.0.2.20:5060' } });
      if (calls % 2 === 0) call.decide({ type: 'EndCall', data: { cause: 'completed', sipStatus: 200 } });
      await call.flush();
    }
    if (i % 5_000 === 4_999) {
      plan.decide({ type: 'UpdateDialPlan', data: { name: 'Redmond', rules: rules(i) } });
      await plan.flush();
    }
    if (alice.pending >= PER_APPEND) {
      await alice.flush();
      progress.report({ done: alice.written, total: events, eventsPerSecond: 0, etaSeconds: 0 });
    }
  }
  await alice.flush();
  progress.stop();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** mulberry32: reproducible instants. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function timeQueries(instants: readonly string[], query: (at: string) => Promise<unknown>): Promise<{ p50: number; p99: number; max: number }> {
  const times: number[] = [];
  for (const at of instants) {
    const started = performance.now();
    await query(at);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1)! };
}

export async function run(): Promise<void> {
  const events = count('ASOF_BENCH_EVENTS', 100_000);
  const queries = count('ASOF_BENCH_QUERIES', 300);
  const scans = count('ASOF_BENCH_SCANS', 10);
  const interval = process.env['ASOF_BENCH_INTERVAL'] ? count('ASOF_BENCH_INTERVAL', 1_000) : undefined;
  const backend = await openBackend();
  try {
    const buildStarted = performance.now();
    await buildLog(backend.store, events);
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const head = await backend.store.headPosition();

    const snapshots = new AsOfSnapshots({ store: backend.store, client: backend.client, ...(interval === undefined ? {} : { interval }) });
    const catchUpStarted = performance.now();
    await snapshots.catchUp();
    const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;

    // From the user's provisioning on: before it the answer is a 404, not a replay.
    const first = Date.parse((await backend.store.readStream(userStreamId(ALICE), { limit: 1 }))[0]!.metadata.recordedAt);
    const last = Date.parse((await backend.store.readAll({ after: head - 1n, limit: 1 }))[0]!.metadata.recordedAt);
    const random = seeded(7);
    const instant = () => new Date(first + Math.floor(random() * (last - first + 1))).toISOString();
    const snapshotInstants = Array.from({ length: queries }, instant);
    const scanInstants = Array.from({ length: scans }, instant);

    // Warm-up (JIT, connections), not timed.
    for (const at of snapshotInstants.slice(0, 10)) await userAsOf(backend.store, ALICE, at, { snapshots });
    const withSnapshots = await timeQueries(snapshotInstants, (at) => userAsOf(backend.store, ALICE, at, { snapshots }));
    const withoutSnapshots = await timeQueries(scanInstants, (at) => userAsOf(backend.store, ALICE, at));

    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const lines = [
      `as-of latency, ${backend.name}: ${ALICE} with ${events.toLocaleString('en-US')} events (log head ${head}; built in ${buildSeconds.toFixed(1)} s)`,
      `  snapshots: ${await snapshots.count()} (interval ${interval ?? 100} events), first catch-up ${catchUpSeconds.toFixed(1)} s`,
      `  with snapshots    (${queries} instants): p50 ${ms(withSnapshots.p50)}  p99 ${ms(withSnapshots.p99)}  max ${ms(withSnapshots.max)}   goal p99 < ${GOAL_P99_MS} ms: ${withSnapshots.p99 < GOAL_P99_MS ? 'met' : 'MISSED'}`,
      `  without snapshots (${scans} instants, full scan): p50 ${ms(withoutSnapshots.p50)}  p99 ${ms(withoutSnapshots.p99)}  max ${ms(withoutSnapshots.max)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const dir = join(import.meta.dirname, 'results');
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().slice(0, 10);
    const file = join(dir, `audit-asof-${backend.name}-${stamp}`);
    await writeFile(`${file}.txt`, `${lines.join('\n')}\n`);
    await writeFile(
      `${file}.json`,
      `${JSON.stringify({ backend: backend.name, events, head: String(head), interval: interval ?? 100, catchUpSeconds, withSnapshots, withoutSnapshots, goalP99Ms: GOAL_P99_MS }, null, 2)}\n`,
    );
  } finally {
    await backend.close();
  }
}
