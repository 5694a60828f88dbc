/**
 * Audit verification throughput: `verifyAuditLog` over a chained log of
 * 1,000,000 events, beside the goal of ≥ 100,000 events/s.
 *
 *   npm run bench:audit
 *   npx tsx -e "import('./bench/audit-verify.ts').then(m=>m.run())"
 *
 * Backend: PostgreSQL when DATABASE_URL is set (in its own database,
 * `<name>_audit_bench`, reused between runs), else PGlite in
 * `bench/.data/audit-<events>` (reused too). AUDIT_BENCH_EVENTS changes the
 * size (default 1,000,000); AUDIT_BENCH_STORE=pglite forces PGlite.
 *
 * Building the log: the events are bulk-inserted with INSERT … SELECT
 * generate_series in 100,000-row statements — NOT through the append path,
 * which would take many minutes for a million events and is measured by
 * bench:log. Their rows have the shape of real presence events (the same
 * columns, ~200-byte data and full metadata with recordedAt); the audit hashes
 * raw rows and never decodes them. The chain is then built by the real
 * ChainKeeper (its rate is printed too, for information). A log already built
 * to the size is reused: only verification is timed again.
 *
 * Writes the figures to stdout and bench/results/audit-verify-<backend>-<date>.{json,txt}.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { AuditSigner, parsePublicKeys } from '../src/audit/audit-keys.ts';
import { auditTablesPresent } from '../src/audit/audit-schema.ts';
import { verifyAuditLog } from '../src/audit/audit-verifier.ts';
import { ChainKeeper } from '../src/audit/chain-keeper.ts';
import { EVENT_LOG_MIGRATIONS } from '../src/events/store/sql/migrations.ts';
import { migrate } from '../src/events/store/sql/migrator.ts';
import { PgClient } from '../src/storage/pg-client.ts';
import { PgliteClient } from '../src/storage/pglite-client.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';

const GOAL_EVENTS_PER_SECOND = 100_000;
const CHUNK = 100_000;

/** `$1`..`$2` (inclusive) become events: 1,000 users' presence streams, versions in order. */
const BULK_INSERT = /* sql */ `
INSERT INTO chorus_events (event_id, stream_id, stream_version, event_type, data, metadata)
SELECT md5('bench-' || i)::uuid,
       'user-' || (i % 1000),
       i / 1000,
       'presence.published.v1',
       jsonb_build_object(
         'sipUri', 'sip:user' || (i % 1000) || '@example.test',
         'availability', 3500 + (i % 3) * 3000,
         'activity', 'available',
         'note', 'In the office until five, then on the road',
         'endpoint', jsonb_build_object('instance', '<urn:uuid:' || md5('ep' || (i % 1000))::uuid || '>',
                                        'contact', 'sip:user' || (i % 1000) || '@10.0.' || (i % 250) || '.7:5060;transport=tcp')),
       jsonb_build_object(
         'occurredAt', to_char(timestamp '2026-01-01' + i * interval '10 ms', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'correlationId', md5('corr' || i)::uuid::text,
         'causationId', null,
         'actor', 'sip:user' || (i % 1000) || '@example.test',
         'node', 'fe-' || (i % 4),
         'recordedAt', to_char(timestamp '2026-01-01' + i * interval '10 ms', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
  FROM generate_series($1::bigint, $2::bigint) AS i`;

interface Backend {
  readonly name: 'postgres' | 'pglite';
  readonly client: SqlClient;
}

async function openBackend(events: number): Promise<Backend> {
  const base = process.env['DATABASE_URL'];
  if (base && process.env['AUDIT_BENCH_STORE'] !== 'pglite') {
    const url = new URL(base);
    const db = `${url.pathname.replace(/^\//, '') || 'chorus'}_audit_bench`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (rowCount === 0) await admin.query(`CREATE DATABASE ${db}`);
    } finally {
      await admin.end();
    }
    url.pathname = `/${db}`;
    return { name: 'postgres', client: new PgClient({ connectionString: url.toString(), max: 2, applicationName: 'chorus-audit-bench' }) };
  }
  const dir = join('bench', '.data', `audit-${events}`);
  await mkdir(dir, { recursive: true });
  return { name: 'pglite', client: await PgliteClient.open({ dataDir: dir }) };
}

async function count(client: SqlClient, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sql);
  return Number(rows[0]?.n ?? 0);
}

/** Events and chain of exactly `events` rows; rebuilt from scratch when what is there differs. */
async function ensureLog(client: SqlClient, events: number, signer: AuditSigner): Promise<{ built: boolean; chainPerSecond: number | null }> {
  await migrate(client, EVENT_LOG_MIGRATIONS);
  const haveEvents = await count(client, 'SELECT count(*)::text AS n FROM chorus_events');
  const haveChain = (await auditTablesPresent(client)).audit ? await count(client, 'SELECT count(*)::text AS n FROM chorus_audit_chain') : 0;
  if (haveEvents === events && haveChain === events) return { built: false, chainPerSecond: null };

  process.stderr.write(`building a log of ${events.toLocaleString('en-US')} events (bulk insert)…\n`);
  await client.exec(`
    DROP TABLE IF EXISTS chorus_audit_chain, chorus_audit_checkpoints, chorus_audit_keys;
    TRUNCATE chorus_events, chorus_streams RESTART IDENTITY;`);
  for (let first = 1; first <= events; first += CHUNK)
    await client.query(BULK_INSERT, [first, Math.min(events, first + CHUNK - 1)]);
  await client.exec('ANALYZE chorus_events');

  process.stderr.write('chaining it with the ChainKeeper…\n');
  const keeper = await ChainKeeper.open({ client, signer, checkpointEvery: 1000, checkpointSeconds: 0, batchSize: 10_000 });
  const started = performance.now();
  const chained = await keeper.catchUp();
  const seconds = (performance.now() - started) / 1000;
  await keeper.close();
  await client.exec('ANALYZE chorus_audit_chain');
  return { built: true, chainPerSecond: chained / seconds };
}

/**
 * CPU milliseconds the bench's PostgreSQL backends have used, read from /proc
 * (null when the server is not on this machine). Wall-clock rates on a shared
 * machine say more about the neighbours than about the verifier; CPU time per
 * event does not.
 */
async function backendCpuMs(client: SqlClient): Promise<number | null> {
  if (!(client instanceof PgClient)) return null;
  const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'chorus-audit-bench'`);
  let total = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
    } catch {
      return null;
    }
  }
  return total;
}

export async function run(): Promise<void> {
  const events = Number(process.env['AUDIT_BENCH_EVENTS'] ?? 1_000_000);
  const backend = await openBackend(events);
  try {
    // The bench signs with its own key; a reused log verifies against the keys it recorded.
    const signer = AuditSigner.ephemeral();
    const { built, chainPerSecond } = await ensureLog(backend.client, events, signer);
    const trustedKeys = built ? parsePublicKeys(signer.publicKeyPem) : null;

    // Both pool connections exist before the CPU is sampled (the verifier prefetches on a second one).
    await Promise.all([backend.client.query('SELECT 1'), backend.client.query('SELECT 1')]);
    const pgCpuBefore = await backendCpuMs(backend.client);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const report = await verifyAuditLog(backend.client, { trustedKeys });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const pgCpuAfter = await backendCpuMs(backend.client);
    const load = loadavg()[0]!;
    const nodeUsPerEvent = ((cpu.user + cpu.system) / events);
    const pgUsPerEvent = pgCpuBefore === null || pgCpuAfter === null ? null : ((pgCpuAfter - pgCpuBefore) * 1000) / events;
    if (!report.ok) throw new Error(`the bench log did not verify: ${report.problems[0]?.kind} at ${report.problems[0]?.position}`);
    if (report.eventsChecked !== events) throw new Error(`verified ${report.eventsChecked} events, expected ${events}`);
    const perSecond = report.eventsChecked / seconds;

    const lines = [
      `audit verify (${backend.name}, ${events.toLocaleString('en-US')} events, ${report.checkpointsChecked} signed checkpoints)`,
      `  verify: ${Math.round(perSecond).toLocaleString('en-US')} events/s in ${seconds.toFixed(1)} s   goal >= ${GOAL_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s   ${perSecond >= GOAL_EVENTS_PER_SECOND ? 'MET' : 'MISSED'}`,
      `  CPU per event: verifier ${nodeUsPerEvent.toFixed(1)} µs` +
        (pgUsPerEvent === null ? '' : `, PostgreSQL ${pgUsPerEvent.toFixed(1)} µs`) +
        ` (load average ${load.toFixed(1)} on this machine while measuring)`,
      ...(pgUsPerEvent === null
        ? []
        : [
            `  CPU-bound rate (verifier and PostgreSQL each on an idle core, as they overlap): ${Math.round(1e6 / Math.max(nodeUsPerEvent, pgUsPerEvent)).toLocaleString('en-US')} events/s`,
          ]),
      chainPerSecond === null
        ? '  chain keeper: (log reused; not re-chained)'
        : `  chain keeper (information, no goal): ${Math.round(chainPerSecond).toLocaleString('en-US')} events/s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await mkdir(join('bench', 'results'), { recursive: true });
    const stamp = new Date().toISOString().slice(0, 10);
    await writeFile(join('bench', 'results', `audit-verify-${backend.name}-${stamp}.txt`), `${lines.join('\n')}\n`);
    await writeFile(
      join('bench', 'results', `audit-verify-${backend.name}-${stamp}.json`),
      `${JSON.stringify(
        {
          backend: backend.name,
          events,
          verifyEventsPerSecond: Math.round(perSecond),
          verifySeconds: seconds,
          goalEventsPerSecond: GOAL_EVENTS_PER_SECOND,
          met: perSecond >= GOAL_EVENTS_PER_SECOND,
          verifierCpuMicrosPerEvent: Number(nodeUsPerEvent.toFixed(2)),
          postgresCpuMicrosPerEvent: pgUsPerEvent === null ? null : Number(pgUsPerEvent.toFixed(2)),
          loadAverage: Number(load.toFixed(2)),
          chainKeeperEventsPerSecond: chainPerSecond === null ? null : Math.round(chainPerSecond),
          checkpoints: report.checkpointsChecked,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await backend.client.close();
  }
}
