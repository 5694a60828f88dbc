/**
 * Event log throughput: our append path against the ceiling of plain INSERTs of
 * the same row shape on the same database, in the same run.
 *
 *   npm run bench:log                       # PGlite + PostgreSQL (DATABASE_URL, else a local chorus_bench db if reachable)
 *   BENCH_SECONDS=5 npm run bench:log       # longer runs per cell (default 2)
 *
 * Cells: {single-event appends, 100-event appends} × {1, 4, 16 writers}, each
 * writer on its own stream with a numeric expected version. Ceiling: the same
 * number of concurrent clients doing single-row autocommit INSERTs (single) or
 * one 100-row INSERT per transaction (batch). Also: readAll events/s, and
 * pgbench on the same INSERT when pgbench is installed. Writes a table and
 * bench/results/log-<date>.{json,txt}.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../src/events/envelope.ts';
import type { EventStore } from '../src/events/event-store.ts';
import { PgliteEventStore } from '../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../src/events/store/postgres/postgres-event-store.ts';
import { PgClient } from '../src/storage/pg-client.ts';
import { PgliteClient } from '../src/storage/pglite-client.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';
import { testCatalogue } from '../test/contract/test-catalogue.ts';
import type { TestEvent } from '../test/contract/test-catalogue.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const WRITERS = [1, 4, 16] as const;
const BATCH = 100;
const TARGET = { single: 0.7, batch: 0.8 } as const;
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/chorus_bench';
const SCHEMA = 'chorus_bench';

type Mode = 'single' | 'batch';
type Backend = 'pglite' | 'postgres';

interface Row {
  backend: Backend;
  mode: Mode;
  writers: number;
  oursEventsPerSec: number;
  ceilingEventsPerSec: number;
  ratio: number;
  target: number;
  pgbenchEventsPerSec?: number;
}

const METADATA = {
  occurredAt: '2026-01-02T03:04:05.678Z',
  correlationId: 'bench-correlation',
  causationId: null,
  actor: 'sip:bench@example.test',
  node: 'bench-1',
};

const newEvent = (writer: number, n: number): NewEvent<TestEvent> => ({
  id: uuidv7(),
  type: 'test.counter_bumped.v1',
  data: { writer, n },
  metadata: METADATA,
});

/**
 * The ceiling's table: a copy of chorus_events with the same columns, identity,
 * generated column and indexes, so the ratio measures what the append path adds
 * (function, lock, idempotency probe, stream versions, JSON) and not the schema.
 */
const CREATE_PLAIN = `CREATE TABLE IF NOT EXISTS bench_plain (LIKE chorus_events INCLUDING ALL)`;
const PLAIN_COLUMNS = '(event_id, stream_id, stream_version, event_type, data, metadata)';
const plainInsert = (rows: number): string =>
  `INSERT INTO bench_plain ${PLAIN_COLUMNS} VALUES ` +
  Array.from({ length: rows }, (_, r) => `(${[1, 2, 3, 4, 5, 6].map((c) => `$${r * 6 + c}`).join(',')})`).join(',');
const plainParams = (writer: number, fromVersion: number, rows: number): unknown[] =>
  Array.from({ length: rows }, (_, r) => [
    uuidv7(),
    `counter-w${writer}`,
    fromVersion + r,
    'test.counter_bumped.v1',
    JSON.stringify({ writer, n: fromVersion + r }),
    JSON.stringify({ ...METADATA, recordedAt: new Date().toISOString() }),
  ]).flat();

/** Runs `writers` loops until the deadline; each loop call returns how many events it wrote. */
async function timed(writers: number, step: (writer: number, iteration: number) => Promise<number>): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let events = 0;
      for (let i = 0; performance.now() < deadline; i++) events += await step(w, i);
      return events;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

async function runOurs(store: EventStore<TestEvent>, mode: Mode, writers: number): Promise<number> {
  const size = mode === 'single' ? 1 : BATCH;
  const versions = new Array<number>(writers).fill(-1);
  const run = `${Date.now().toString(36)}`;
  return timed(writers, async (w) => {
    const expected = versions[w]!;
    const events = Array.from({ length: size }, (_, k) => newEvent(w, expected + 1 + k));
    const result = await store.append(`counter-${run}w${w}`, events, {
      expectedVersion: expected < 0 ? 'no_stream' : expected,
    });
    versions[w] = result.nextExpectedVersion;
    return size;
  });
}

/** `clients[w]` is the connection writer w uses (PGlite: the same single connection for all). */
async function runCeiling(clients: readonly SqlClient[], mode: Mode, writers: number): Promise<number> {
  const size = mode === 'single' ? 1 : BATCH;
  const sql = plainInsert(size);
  const versions = new Array<number>(writers).fill(0);
  await clients[0]!.exec('TRUNCATE bench_plain');
  return timed(writers, async (w) => {
    const client = clients[w % clients.length]!;
    await client.query(sql, plainParams(w, versions[w]!, size));
    versions[w]! += size;
    return size;
  });
}

async function readAllRate(store: EventStore<TestEvent>): Promise<{ events: number; eventsPerSec: number }> {
  const started = performance.now();
  let after = 0n;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: 10_000 });
    if (page.length === 0) break;
    events += page.length;
    after = page[page.length - 1]!.globalPosition;
  }
  return { events, eventsPerSec: events / ((performance.now() - started) / 1000) };
}

/** pgbench reads `:name` as a variable, and JSON is full of colons: ship the literal base64-encoded. */
const pgbenchJson = (value: unknown): string =>
  `convert_from(decode('${Buffer.from(JSON.stringify(value)).toString('base64')}', 'base64'), 'UTF8')::jsonb`;

async function pgbench(url: string, clients: number): Promise<number | undefined> {
  const u = new URL(url);
  const script = join(tmpdir(), `chorus-bench-${process.pid}.sql`);
  await writeFile(
    script,
    `INSERT INTO ${SCHEMA}.bench_plain ${PLAIN_COLUMNS} VALUES (gen_random_uuid(), 'counter-pgb' || :client_id, ` +
      `nextval('${SCHEMA}.pgbench_seq'), 'test.counter_bumped.v1', ` +
      `${pgbenchJson({ writer: 1, n: 1 })}, ${pgbenchJson({ ...METADATA, recordedAt: METADATA.occurredAt })});\n`,
  );
  try {
    const { stdout } = await promisify(execFile)(
      'pgbench',
      ['-n', '-c', String(clients), '-j', String(Math.min(clients, 4)), '-T', String(SECONDS), '-f', script,
        '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres', u.pathname.slice(1)],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
    );
    const tps = /tps = ([0-9.]+)/.exec(stdout);
    return tps ? Number(tps[1]) : undefined;
  } catch (err) {
    console.log(`# pgbench failed: ${(err as Error).message.split('\n').slice(0, 3).join(' | ')}`);
    return undefined;
  }
}

async function reachablePostgres(): Promise<string | undefined> {
  const url = process.env['DATABASE_URL'];
  if (url) return url;
  const admin = new pg.Client({ connectionString: DEFAULT_PG.replace(/\/chorus_bench$/, '/postgres') });
  try {
    await admin.connect();
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', ['chorus_bench']);
    if (rows.length === 0) await admin.query('CREATE DATABASE chorus_bench');
    return DEFAULT_PG;
  } catch {
    return undefined;
  } finally {
    await admin.end().catch(() => {});
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function benchBackend(backend: Backend, url: string | undefined): Promise<{ rows: Row[]; readAll: { events: number; eventsPerSec: number } }> {
  let store: EventStore<TestEvent>;
  let ceilingClients: SqlClient[];
  let cleanup: () => Promise<void>;
  let truncateLog: () => Promise<void>;
  if (backend === 'pglite') {
    const client = await PgliteClient.open();
    store = await PgliteEventStore.open({ client, catalogue: testCatalogue });
    await client.exec(CREATE_PLAIN);
    ceilingClients = [client];
    truncateLog = () => client.exec('TRUNCATE chorus_events, chorus_streams RESTART IDENTITY');
    cleanup = async () => {
      await store.close();
      await client.close();
    };
  } else {
    const admin = new PgClient({ connectionString: url!, max: 1 });
    await admin.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}; CREATE SEQUENCE ${SCHEMA}.pgbench_seq`);
    const u = new URL(url!);
    u.searchParams.set('options', `-c search_path=${SCHEMA}`);
    const inSchema = u.toString();
    const client = new PgClient({ connectionString: inSchema, max: 20 });
    store = await PostgresEventStore.open({ client, catalogue: testCatalogue });
    await client.exec(CREATE_PLAIN);
    // One connection per ceiling writer, like 16 independent clients.
    ceilingClients = [new PgClient({ connectionString: inSchema, max: 16 })];
    truncateLog = () => client.exec('TRUNCATE chorus_events, chorus_streams RESTART IDENTITY');
    cleanup = async () => {
      await store.close();
      await client.close();
      await ceilingClients[0]!.close();
      await admin.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.close();
    };
  }
  const rows: Row[] = [];
  try {
    for (const mode of ['single', 'batch'] as const)
      for (const writers of WRITERS) {
        await truncateLog();
        const ours = await runOurs(store, mode, writers);
        const ceiling = await runCeiling(ceilingClients, mode, writers);
        const row: Row = {
          backend, mode, writers,
          oursEventsPerSec: ours,
          ceilingEventsPerSec: ceiling,
          ratio: ours / ceiling,
          target: TARGET[mode],
        };
        if (backend === 'postgres' && mode === 'single') {
          const pgb = await pgbench(url!, writers);
          if (pgb !== undefined) row.pgbenchEventsPerSec = pgb;
        }
        rows.push(row);
        console.log(
          `${backend.padEnd(8)} ${mode.padEnd(6)} ${String(writers).padStart(2)} writers: ours ${fmt(ours)} ev/s, ceiling ${fmt(ceiling)} ev/s, ratio ${row.ratio.toFixed(2)}`,
        );
      }
    // Reads whatever the last cell (100-event batches, 16 writers) left in the log.
    const readAll = await readAllRate(store);
    console.log(`${backend.padEnd(8)} readAll: ${fmt(readAll.eventsPerSec)} ev/s over ${fmt(readAll.events)} events`);
    return { rows, readAll };
  } finally {
    await cleanup();
  }
}

function table(rows: readonly Row[]): string {
  const header = ['backend', 'mode', 'writers', 'ours ev/s', 'ceiling ev/s', 'ratio', 'target', 'meets', 'pgbench ev/s'];
  const lines = rows.map((r) => [
    r.backend, r.mode, String(r.writers), fmt(r.oursEventsPerSec), fmt(r.ceilingEventsPerSec),
    r.ratio.toFixed(2), r.target.toFixed(1), r.ratio >= r.target ? 'yes' : 'NO',
    r.pgbenchEventsPerSec === undefined ? '-' : fmt(r.pgbenchEventsPerSec),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const url = await reachablePostgres();
  const results: Row[] = [];
  const reads: Record<string, { events: number; eventsPerSec: number }> = {};
  for (const backend of ['pglite', 'postgres'] as const) {
    if (backend === 'postgres' && !url) {
      console.log('# SKIP postgres: DATABASE_URL not set and no server at 127.0.0.1:5432');
      continue;
    }
    const { rows, readAll } = await benchBackend(backend, url);
    results.push(...rows);
    reads[backend] = readAll;
  }
  const text =
    `Chorus event log benchmark, ${started.toISOString()} (${SECONDS} s per cell, node ${process.version})\n\n` +
    `${table(results)}\n\n` +
    Object.entries(reads).map(([b, r]) => `readAll ${b}: ${fmt(r.eventsPerSec)} ev/s over ${fmt(r.events)} events`).join('\n') +
    '\n';
  console.log(`\n${text}`);
  const date = started.toISOString().slice(0, 10);
  await mkdir('bench/results', { recursive: true });
  await writeFile(`bench/results/log-${date}.txt`, text);
  await writeFile(
    `bench/results/log-${date}.json`,
    JSON.stringify({ startedAt: started.toISOString(), secondsPerCell: SECONDS, node: process.version, rows: results, readAll: reads }, null, 2),
  );
  console.log(`wrote bench/results/log-${date}.{json,txt} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

await main();
