/**
 * Projection rebuild throughput: every registered domain projection rebuilt
 * from position 0 over a large synthetic log, against the raw readAll rate of
 * the same log on the same database, in the same run.
 *
 *   npm run bench:projections                     # 1,000,000 events; PGlite, and PostgreSQL when DATABASE_URL is set
 *   BENCH_EVENTS=20000 npm run bench:projections  # a quick check
 *   BENCH_BATCH_SIZE=2000 npm run bench:projections   # runner batch size (default: the runner's own, as the server runs it)
 *
 * The log (bench/projections-workload.ts) is a valid domain mix: users
 * provisioned, endpoints registering and refreshing, presence publications,
 * calls (ringing, answered or not, ended) and IM sessions, appended round by
 * round with concurrent appends so the store group-commits them in large
 * batches. PGlite runs in a temporary data directory (as a server keeps its
 * log), PostgreSQL in a scratch schema of DATABASE_URL's database.
 *
 * Goals per projection: ≥ 50,000 events/s, and ≥ 0.5 × the raw readAll rate
 * (readAll in pages of 10,000, the most it returns: the ceiling of reading the
 * log). Writes a table and bench/results/projections-<date>.{json,txt}.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventProgress } from '../src/cli/progress.ts';
import { domainCatalogue, type DomainEvent } from '../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../src/events/event-store.ts';
import { PgliteEventStore } from '../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../src/events/store/postgres/postgres-event-store.ts';
import { domainProjections } from '../src/projections/domain-projections.ts';
import { ProjectionManager, type SqlProjection } from '../src/projections/framework/index.ts';
import { PgClient } from '../src/storage/pg-client.ts';
import { PgliteClient } from '../src/storage/pglite-client.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';
import { pino } from 'pino';
import { DomainWorkload } from './projections-workload.ts';

const EVENTS = positiveInteger('BENCH_EVENTS', 1_000_000);
const BATCH_SIZE = process.env['BENCH_BATCH_SIZE'] ? positiveInteger('BENCH_BATCH_SIZE', 500) : undefined;
const READ_PAGE = 10_000;
const GOAL_EVENTS_PER_SEC = 50_000;
const GOAL_RATIO = 0.5;
const SCHEMA = 'chorus_bench_projections';

type Backend = 'pglite' | 'postgres';

interface Load {
  events: number;
  seconds: number;
  eventsPerSec: number;
}

interface Row {
  backend: Backend;
  projection: string;
  version: number;
  events: number;
  seconds: number;
  eventsPerSec: number;
  readAllEventsPerSec: number;
  ratio: number;
  meetsRate: boolean;
  meetsRatio: boolean;
  /** Rows in the projection's tables after the rebuild: proof it did something. */
  rows: number;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const silent = pino({ level: 'silent' });

/** Appends the workload round by round; a round's appends run concurrently (distinct streams), so they group-commit. */
async function load(store: EventStore<DomainEvent>, backend: Backend): Promise<Load> {
  const workload = new DomainWorkload({ events: EVENTS });
  const progress = new EventProgress({ label: `${backend} append`, total: EVENTS });
  const started = performance.now();
  try {
    for (const round of workload.rounds()) {
      await Promise.all(round.map((a) => store.append(a.streamId, a.events, { expectedVersion: a.expectedVersion })));
      progress.advance(round.reduce((n, a) => n + a.events.length, 0));
    }
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  return { events: workload.produced, seconds, eventsPerSec: workload.produced / seconds };
}

async function readAllRate(store: EventStore<DomainEvent>): Promise<Load> {
  const started = performance.now();
  let after = 0n;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: READ_PAGE });
    if (page.length === 0) break;
    events += page.length;
    after = page[page.length - 1]!.globalPosition;
  }
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, eventsPerSec: events / seconds };
}

async function countRows(client: SqlClient, tables: readonly string[]): Promise<number> {
  let rows = 0;
  for (const table of tables) {
    const { rows: r } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`);
    rows += Number(r[0]?.n ?? 0);
  }
  return rows;
}

/** One projection rebuilt from 0 to the head, alone (its own manager), timed from the request to the resolve. */
async function rebuild(
  store: EventStore<DomainEvent>,
  client: SqlClient,
  projection: SqlProjection<DomainEvent>,
  backend: Backend,
): Promise<{ seconds: number; rows: number }> {
  const manager = new ProjectionManager<DomainEvent>({
    store,
    client,
    projections: [projection],
    logger: silent,
    ...(BATCH_SIZE === undefined ? {} : { batchSize: BATCH_SIZE }),
  });
  const progress = new EventProgress({ label: `${backend} rebuild ${projection.name}`, total: EVENTS });
  const started = performance.now();
  try {
    await manager.rebuild(projection.name, (p) =>
      progress.report({ done: Number(p.position), total: Number(p.head), eventsPerSecond: p.eventsPerSecond, etaSeconds: p.etaSeconds }),
    );
  } finally {
    progress.stop();
    await manager.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rows: await countRows(client, projection.tables) };
}

interface Opened {
  store: EventStore<DomainEvent>;
  client: SqlClient;
  cleanup: () => Promise<void>;
}

async function open(backend: Backend, url: string | undefined): Promise<Opened> {
  if (backend === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'chorus-bench-projections-'));
    const client = await PgliteClient.open({ dataDir: dir });
    const store = await PgliteEventStore.open({ client, catalogue: domainCatalogue });
    return {
      store,
      client,
      cleanup: async () => {
        await store.close();
        await client.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = new PgClient({ connectionString: url!, max: 1 });
  await admin.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  const u = new URL(url!);
  u.searchParams.set('options', `-c search_path=${SCHEMA}`);
  const client = new PgClient({ connectionString: u.toString(), max: 10, applicationName: 'chorus-bench-projections' });
  const store = await PostgresEventStore.open({ client, catalogue: domainCatalogue });
  return {
    store,
    client,
    cleanup: async () => {
      await store.close();
      await client.close();
      await admin.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.close();
    },
  };
}

async function benchBackend(backend: Backend, url: string | undefined): Promise<{ rows: Row[]; append: Load; readAll: Load }> {
  const { store, client, cleanup } = await open(backend, url);
  try {
    const append = await load(store, backend);
    console.log(`${backend.padEnd(8)} append: ${fmt(append.events)} events in ${append.seconds.toFixed(1)} s, ${fmt(append.eventsPerSec)} ev/s`);
    // Fresh statistics for the read plans, as autovacuum would have by now on a live server.
    await client.exec('ANALYZE chorus_events, chorus_streams');
    const readAll = await readAllRate(store);
    console.log(`${backend.padEnd(8)} readAll: ${fmt(readAll.eventsPerSec)} ev/s over ${fmt(readAll.events)} events`);
    const head = Number(await store.headPosition());
    const rows: Row[] = [];
    for (const projection of domainProjections) {
      const { seconds, rows: tableRows } = await rebuild(store, client, projection, backend);
      const eventsPerSec = head / seconds;
      const ratio = eventsPerSec / readAll.eventsPerSec;
      const row: Row = {
        backend,
        projection: projection.name,
        version: projection.version,
        events: head,
        seconds,
        eventsPerSec,
        readAllEventsPerSec: readAll.eventsPerSec,
        ratio,
        meetsRate: eventsPerSec >= GOAL_EVENTS_PER_SEC,
        meetsRatio: ratio >= GOAL_RATIO,
        rows: tableRows,
      };
      rows.push(row);
      console.log(
        `${backend.padEnd(8)} rebuild ${projection.name}: ${fmt(eventsPerSec)} ev/s (${seconds.toFixed(1)} s, ${fmt(tableRows)} rows), ratio ${ratio.toFixed(2)}`,
      );
    }
    return { rows, append, readAll };
  } finally {
    await cleanup();
  }
}

function table(rows: readonly Row[]): string {
  const header = ['backend', 'projection', 'events', 'rebuild ev/s', 'readAll ev/s', 'ratio', `≥ ${fmt(GOAL_EVENTS_PER_SEC)} ev/s`, `≥ ${GOAL_RATIO} × readAll`, 'rows'];
  const lines = rows.map((r) => [
    r.backend,
    r.projection,
    fmt(r.events),
    fmt(r.eventsPerSec),
    fmt(r.readAllEventsPerSec),
    r.ratio.toFixed(2),
    r.meetsRate ? 'PASS' : 'MISS',
    r.meetsRatio ? 'PASS' : 'MISS',
    fmt(r.rows),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const url = process.env['DATABASE_URL'] || undefined;
  if (domainProjections.length === 0) console.log('# src/projections/domain-projections.ts registers no projection: only the log is measured');
  const results: Row[] = [];
  const appends: Record<string, Load> = {};
  const reads: Record<string, Load> = {};
  for (const backend of ['pglite', 'postgres'] as const) {
    if (backend === 'postgres' && !url) {
      console.log('# SKIP postgres: DATABASE_URL is not set');
      continue;
    }
    const { rows, append, readAll } = await benchBackend(backend, url);
    results.push(...rows);
    appends[backend] = append;
    reads[backend] = readAll;
  }
  const text =
    `Chorus projection rebuild benchmark, ${started.toISOString()} (${fmt(EVENTS)} events, ` +
    `runner batch ${BATCH_SIZE ?? 'default'}, readAll pages of ${fmt(READ_PAGE)}, node ${process.version})\n\n` +
    `${table(results)}\n\n` +
    Object.entries(appends)
      .map(([b, a]) => `append ${b}: ${fmt(a.eventsPerSec)} ev/s (${fmt(a.events)} events in ${a.seconds.toFixed(1)} s)`)
      .join('\n') +
    '\n' +
    Object.entries(reads).map(([b, r]) => `readAll ${b}: ${fmt(r.eventsPerSec)} ev/s over ${fmt(r.events)} events`).join('\n') +
    '\n';
  console.log(`\n${text}`);
  const date = started.toISOString().slice(0, 10);
  await mkdir('bench/results', { recursive: true });
  await writeFile(`bench/results/projections-${date}.txt`, text);
  await writeFile(
    `bench/results/projections-${date}.json`,
    JSON.stringify(
      {
        startedAt: started.toISOString(),
        events: EVENTS,
        runnerBatchSize: BATCH_SIZE ?? null,
        readAllPage: READ_PAGE,
        goals: { eventsPerSec: GOAL_EVENTS_PER_SEC, ratioToReadAll: GOAL_RATIO },
        node: process.version,
        rows: results,
        append: appends,
        readAll: reads,
      },
      null,
      2,
    ),
  );
  console.log(`wrote bench/results/projections-${date}.{json,txt} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

await main();
