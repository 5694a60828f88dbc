/**
 * Compliance export throughput: `exportLog` (src/compliance) over a log of
 * 100,000 realistic domain events (bench/projections-workload.ts: users,
 * registrations, presence, calls, IM), written to a file as `chorus export`
 * writes it, in each format, beside the floor it cannot beat: reading the
 * same log with `readAll` and doing nothing with it.
 *
 *   npx tsx -e "import('./bench/audit-export.ts').then(m=>m.run())"
 *
 * Backend: PGlite in `bench/.data/audit-export-<events>` (built once through
 * the real append path, ~1,000 events/s on PGlite, then reused), or
 * PostgreSQL when AUDIT_EXPORT_BENCH_STORE=postgres (database
 * `<DATABASE_URL name>_export_bench`, reused too). AUDIT_EXPORT_BENCH_EVENTS
 * changes the size (default 100,000). No goal is set for export speed in
 * issue 6; the figure beside each is the raw-read floor.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ExportFilterSchema, type ExportFilterInput, type ExportFormat } from '../src/compliance/export-filter.ts';
import { exportLog } from '../src/compliance/export-log.ts';
import { writeFileAtomically } from '../src/compliance/write-file-atomically.ts';
import { domainCatalogue, type DomainEvent } from '../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../src/events/event-store.ts';
import { PgliteEventStore } from '../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../src/events/store/postgres/postgres-event-store.ts';
import { EventProgress } from '../src/cli/progress.ts';
import { DomainWorkload } from './projections-workload.ts';

const EVENTS = Number(process.env['AUDIT_EXPORT_BENCH_EVENTS'] ?? 100_000);

async function postgresUrl(): Promise<string> {
  const base = process.env['DATABASE_URL'];
  if (!base) throw new Error('AUDIT_EXPORT_BENCH_STORE=postgres needs DATABASE_URL');
  const url = new URL(base);
  const name = `${url.pathname.replace(/^\//, '') || 'chorus'}_export_bench`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

async function openStore(): Promise<{ store: EventStore<DomainEvent>; where: string }> {
  if (process.env['AUDIT_EXPORT_BENCH_STORE'] === 'postgres') {
    const url = await postgresUrl();
    return { store: await PostgresEventStore.open({ connectionString: url, catalogue: domainCatalogue }), where: `postgres ${new URL(url).pathname.slice(1)}` };
  }
  const dir = join(import.meta.dirname, '.data', `audit-export-${EVENTS}`);
  await mkdir(dir, { recursive: true });
  return { store: await PgliteEventStore.open({ dataDir: dir, catalogue: domainCatalogue }), where: `pglite ${dir}` };
}

/** Appends the workload unless the log already holds it (a previous run). */
async function ensureLog(store: EventStore<DomainEvent>): Promise<void> {
  const head = await store.headPosition();
  if (head === BigInt(EVENTS)) return;
  if (head !== 0n) throw new Error(`the bench log holds ${head} events, not ${EVENTS}: delete it and run again`);
  const workload = new DomainWorkload({ events: EVENTS });
  const progress = new EventProgress({ label: 'building the log', total: EVENTS });
  const started = performance.now();
  try {
    for (const round of workload.rounds()) {
      await Promise.all(round.map((a) => store.append(a.streamId, a.events, { expectedVersion: a.expectedVersion })));
      progress.advance(round.reduce((n, a) => n + a.events.length, 0));
    }
  } finally {
    progress.stop();
  }
  console.log(`built the log: ${EVENTS} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const rate = (events: number, ms: number): string => `${Math.round((events * 1000) / ms).toLocaleString('en-US')} ev/s`;

async function rawRead(store: EventStore<DomainEvent>): Promise<number> {
  const started = performance.now();
  let after = 0n;
  for (;;) {
    const batch = await store.readAll({ after, limit: 5_000 });
    if (batch.length === 0) break;
    after = batch.at(-1)!.globalPosition;
  }
  return performance.now() - started;
}

interface Measured {
  readonly ms: number;
  readonly bytes: number;
  readonly sha256: string;
}

async function timedExport(store: EventStore<DomainEvent>, format: ExportFormat, filter: ExportFilterInput, out: string): Promise<Measured> {
  const started = performance.now();
  const run = await exportLog(store, { format, filter: ExportFilterSchema.parse(filter) });
  const bytes = await writeFileAtomically(out, run.chunks);
  const ms = performance.now() - started;
  const sha256 = createHash('sha256').update(await readFile(out)).digest('hex');
  return { ms, bytes, sha256 };
}

export async function run(): Promise<void> {
  const { store, where } = await openStore();
  const dir = join(tmpdir(), `chorus-export-bench-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    await ensureLog(store);
    const head = Number(await store.headPosition());
    console.log(`compliance export bench: ${head.toLocaleString('en-US')} events, ${where}, Node ${process.version}`);
    const floorMs = Math.min(await rawRead(store), await rawRead(store));
    console.log(`  ${'raw readAll (the floor: read, decode, discard)'.padEnd(52)} ${rate(head, floorMs).padStart(14)}  ${(floorMs / 1000).toFixed(2)} s`);
    const cases: [string, ExportFormat, ExportFilterInput][] = [
      ['jsonl, everyone', 'jsonl', {}],
      ['csv, everyone', 'csv', {}],
      ['html, everyone', 'html', {}],
      ['jsonl, one user (scans the whole log)', 'jsonl', { users: ['sip:user7@example.test'] }],
      ['csv, calls+im in a 1-hour window', 'csv', { workloads: ['calls', 'im'], from: '2026-01-05T08:00:00Z', to: '2026-01-05T09:00:00Z' }],
    ];
    for (const [label, format, filter] of cases) {
      const out = join(dir, `export.${format}`);
      const first = await timedExport(store, format, filter, out);
      const second = await timedExport(store, format, filter, out);
      const best = Math.min(first.ms, second.ms);
      const size = (await stat(out)).size;
      console.log(`  ${label.padEnd(52)} ${rate(head, best).padStart(14)}  ${(best / 1000).toFixed(2)} s  ${(size / 1e6).toFixed(1)} MB  ${(best / floorMs).toFixed(1)}× the floor's time  byte-equal twice: ${first.sha256 === second.sha256 ? 'yes' : 'NO'}`);
    }
    console.log('  (events/s = log events scanned per second, file written and closed; best of two runs)');
  } finally {
    await rm(dir, { recursive: true, force: true });
    await store.close();
  }
}
