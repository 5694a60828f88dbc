/**
 * What sealing personal data costs (docs/privacy.md): the same domain events
 * appended and read back through the plain log adapter and through the
 * sealing store, same database, same run.
 *
 *   npm run bench:privacy                      # PGlite (memory) + PostgreSQL when DATABASE_URL is set
 *   BENCH_EVENTS=50000 npm run bench:privacy   # default 20,000
 *
 * Workload: BENCH_USERS (default 200) users; per round each user gets an
 * endpoint.registered (4 sealed fields), a presence.published (a note) and an
 * im.message_sent (a body), appended 100 events per call on one writer.
 * Reads: readAll in pages of 10,000, cold (a new key store, empty cache),
 * warm, and after every user is forgotten (every field an erased placeholder).
 * Goal (ours, none was set): sealed ≥ 0.5 × plain for append and for readAll.
 * Writes bench/results/privacy-<date>.{json,txt}.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { domainCatalogue, type DomainEvent } from '../src/events/domain/domain-catalogue.ts';
import type { EventShape, NewEvent } from '../src/events/envelope.ts';
import type { EventStore } from '../src/events/event-store.ts';
import { PgliteEventStore } from '../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../src/events/store/postgres/postgres-event-store.ts';
import { pino } from 'pino';
import { DataKeyStore } from '../src/privacy/data-key-store.ts';
import { sealedDomainCatalogue } from '../src/privacy/sealed-domain-store.ts';
import { SealingEventStore } from '../src/privacy/sealing-event-store.ts';
import { PgClient } from '../src/storage/pg-client.ts';
import { PgliteClient } from '../src/storage/pglite-client.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const USERS = Number(process.env['BENCH_USERS'] ?? 200);
const BATCH = 100;
const GOAL = 0.5;
const silent = pino({ level: 'silent' });

const META = { occurredAt: '2026-11-26T09:00:00.000Z', correlationId: 'bench', causationId: null, actor: 'bench', node: 'bench' };

interface Row {
  readonly backend: string;
  readonly measure: string;
  readonly plain: number;
  readonly sealed: number;
}

function user(i: number): string {
  return `sip:user${i}@example.test`;
}

/** Batches of ≤ 100 events, each for one stream, in the order they are appended. */
function workload(): [string, NewEvent<DomainEvent>[]][] {
  const batches: [string, NewEvent<DomainEvent>[]][] = [];
  const pending = new Map<string, NewEvent<DomainEvent>[]>();
  let count = 0;
  const push = (stream: string, type: string, data: Record<string, unknown>): void => {
    const list = pending.get(stream) ?? [];
    list.push({ id: uuidv7(), type, data, metadata: META } as NewEvent<DomainEvent>);
    pending.set(stream, list);
    count++;
    if (list.length === BATCH) {
      batches.push([stream, list]);
      pending.delete(stream);
    }
  };
  for (let round = 0; count < EVENTS; round++) {
    for (let u = 0; u < USERS && count < EVENTS; u++) {
      const sipUri = user(u);
      const at = new Date(Date.UTC(2026, 10, 26, 9) + round * 60_000).toISOString();
      push(`user-user${u}@example.test`, 'endpoint.registered.v1', {
        sipUri,
        endpointId: `ep-${round}`,
        contact: `sip:user${u}@198.51.100.${u % 250}:5060;transport=udp`,
        transport: 'udp',
        sourceAddress: `198.51.100.${u % 250}:5060`,
        userAgent: 'Bench Phone 1.0 (Linux)',
        expiresAt: at,
        at,
        instanceId: null,
      });
      push(`user-user${u}@example.test`, 'presence.published.v1', {
        sipUri,
        endpointId: `ep-${round}`,
        availability: 'busy',
        code: 6500,
        activity: null,
        note: `In a meeting about item ${round}`,
        etag: `etag-${round}`,
        expiresAt: at,
        at,
      });
      push(`im-bench-${u}`, 'im.message_sent.v1', {
        sessionId: `bench-${u}`,
        messageId: `m-${round}`,
        sender: sipUri,
        recipients: [user((u + 1) % USERS)],
        contentType: 'text/plain',
        body: `Round ${round}: the quarterly numbers look fine, see you at the review.`,
        archived: true,
        at,
      });
    }
  }
  for (const [stream, list] of pending) batches.push([stream, list]);
  return batches;
}

async function append(store: EventStore<DomainEvent>, batches: [string, NewEvent<DomainEvent>[]][]): Promise<number> {
  const started = performance.now();
  let n = 0;
  for (const [stream, events] of batches) {
    await store.append(stream, events, { expectedVersion: 'any' });
    n += events.length;
  }
  return n / ((performance.now() - started) / 1000);
}

async function readAll(store: EventStore<DomainEvent>): Promise<number> {
  const started = performance.now();
  let after = 0n;
  let n = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: 10_000 });
    if (page.length === 0) break;
    n += page.length;
    after = page.at(-1)!.globalPosition;
  }
  return n / ((performance.now() - started) / 1000);
}

async function empty(client: SqlClient): Promise<void> {
  await client.exec('TRUNCATE chorus_events, chorus_streams RESTART IDENTITY');
  await client.exec('DROP TABLE IF EXISTS chorus_data_keys');
}

async function measure(backend: string, client: SqlClient, open: (catalogue: typeof domainCatalogue | typeof sealedDomainCatalogue) => Promise<EventStore<EventShape>>): Promise<Row[]> {
  const batches = workload();
  const plainStore = (await open(domainCatalogue)) as EventStore<DomainEvent>;
  await empty(client);
  const plainAppend = await append(plainStore, batches);
  const plainRead = await readAll(plainStore);
  await plainStore.close();

  await empty(client);
  const inner = await open(sealedDomainCatalogue);
  const sealed = new SealingEventStore({ inner, catalogue: domainCatalogue, keys: await DataKeyStore.open(client, { logger: silent }) });
  const sealedAppend = await append(sealed, batches);
  const cold = new SealingEventStore({ inner, catalogue: domainCatalogue, keys: await DataKeyStore.open(client, { logger: silent }) });
  const sealedCold = await readAll(cold);
  const sealedWarm = await readAll(cold);
  for (let u = 0; u < USERS; u++) await cold.keys.destroy(user(u));
  const erased = await readAll(new SealingEventStore({ inner, catalogue: domainCatalogue, keys: await DataKeyStore.open(client, { logger: silent }) }));
  await inner.close();
  return [
    { backend, measure: `append ev/s (${BATCH} per call, 1 writer)`, plain: plainAppend, sealed: sealedAppend },
    { backend, measure: 'readAll ev/s, cold key cache', plain: plainRead, sealed: sealedCold },
    { backend, measure: 'readAll ev/s, warm key cache', plain: plainRead, sealed: sealedWarm },
    { backend, measure: 'readAll ev/s, every user forgotten', plain: plainRead, sealed: erased },
  ];
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const pglite = await PgliteClient.open();
  try {
    rows.push(...(await measure('pglite', pglite, (catalogue) => PgliteEventStore.open({ client: pglite, catalogue }))));
  } finally {
    await pglite.close();
  }
  const url = process.env['DATABASE_URL'];
  if (url) {
    const schema = `chorus_privacy_bench_${randomBytes(3).toString('hex')}`;
    const admin = new PgClient({ connectionString: url, max: 1 });
    await admin.exec(`CREATE SCHEMA "${schema}"`);
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    const client = new PgClient({ connectionString: scoped.toString(), max: 4 });
    try {
      rows.push(...(await measure('postgres', client, (catalogue) => PostgresEventStore.open({ client, catalogue, listen: false }))));
    } finally {
      await client.close();
      await admin.exec(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.close();
    }
  } else {
    process.stderr.write('DATABASE_URL is not set: PostgreSQL skipped\n');
  }

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const lines = [
    `bench:privacy — ${EVENTS.toLocaleString('en-US')} events (${USERS} users; endpoint.registered, presence.published, im.message_sent), ${new Date().toISOString()}`,
    '| backend | measure | plain ev/s | sealed ev/s | ratio | goal | met |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const ratio = r.sealed / r.plain;
      return `| ${r.backend} | ${r.measure} | ${fmt(r.plain)} | ${fmt(r.sealed)} | ${ratio.toFixed(2)} | ${GOAL} | ${ratio >= GOAL ? 'yes' : 'no'} |`;
    }),
  ];
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  await mkdir('bench/results', { recursive: true });
  const day = new Date().toISOString().slice(0, 10);
  await writeFile(`bench/results/privacy-${day}.txt`, text);
  await writeFile(`bench/results/privacy-${day}.json`, `${JSON.stringify({ events: EVENTS, users: USERS, rows }, null, 2)}\n`);
}

await main();
