import type { CliContext } from '../../../src/cli/chorus-cli.ts';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiErrorSchema } from '../../../src/api/api-error.ts';
import { EXPORT_PATH, EXPORT_UP_TO_HEADER } from '../../../src/api/contract/export-contract.ts';
import { UNIFIED_TIMELINE_PATH, UnifiedTimelinePageSchema } from '../../../src/api/contract/unified-timeline-contract.ts';
import { createHttpServer, type ApiServer } from '../../../src/api/http-server.ts';
import { exportRoutes } from '../../../src/api/routes/export-routes.ts';
import { unifiedTimelineRoutes } from '../../../src/api/routes/unified-timeline-routes.ts';
import { openOfflineLog } from '../../../src/cli/offline-log.ts';
import { ExportFilterSchema, type ExportFilterInput, type ExportFormat } from '../../../src/compliance/export-filter.ts';
import { exportLog } from '../../../src/compliance/export-log.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { auditTimelineProjection } from '../../../src/projections/audit-timeline/audit-timeline-projection.ts';
import { ProjectionManager } from '../../../src/projections/framework/index.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { WAIT_MS } from '../projections/domain-read-model-harness.ts';
import { ALICE, auditDay, BOB, copyLog } from './audit-day-scenario.ts';
import { runCliInProcess } from '../../support/cli-in-process.ts';

const TOKEN = 'audit-http-cli-test-token-0123456789';
// The ports this suite may use (19100-19109): a server, and one where nothing listens (offline fallback).
const SERVER_PORT = 19100;
const CLOSED_PORT = 19101;

/** A store whose second readAll fails: an export that breaks after it has begun. */
function failingAfterFirstRead(store: EventStore<DomainEvent>): EventStore<DomainEvent> {
  let reads = 0;
  return {
    kind: store.kind,
    append: (...args) => store.append(...args),
    readStream: (...args) => store.readStream(...args),
    headPosition: () => store.headPosition(),
    subscribe: (...args) => store.subscribe(...args),
    close: () => store.close(),
    async readAll(options) {
      if (++reads > 1) throw new Error('disk on fire');
      // Five events, then the failure: the export has begun when it breaks.
      return (await store.readAll(options)).slice(0, 5);
    },
  };
}

describe('timeline and export over HTTP and from the CLI (pglite)', () => {
  let client: PgliteClient;
  let store: EventStore<DomainEvent>;
  let manager: ProjectionManager<DomainEvent>;
  let app: ApiServer;
  let broken: ApiServer;
  let base: string;
  let dir: string;

  before(async () => {
    client = await PgliteClient.open();
    store = await PgliteEventStore.open({ client, catalogue: domainCatalogue });
    await copyLog((await auditDay()).store, store);
    manager = new ProjectionManager<DomainEvent>({ store, client, projections: [auditTimelineProjection], logger: silentLogger });
    await manager.start();
    await manager.waitForPosition(await store.headPosition(), WAIT_MS);
    const server = (s: EventStore<DomainEvent>) =>
      createHttpServer({
        config: { adminToken: TOKEN, store: 'pglite' },
        version: '0.0.0-test',
        logger: silentLogger,
        metrics: createMetricsRegistry({ defaultMetrics: false }),
        routes: [unifiedTimelineRoutes({ client }), exportRoutes({ store: s })],
      });
    app = server(store);
    await app.listen({ port: SERVER_PORT, host: '127.0.0.1' });
    base = `http://127.0.0.1:${SERVER_PORT}`;
    broken = server(failingAfterFirstRead(store));
    await broken.listen({ port: SERVER_PORT + 2, host: '127.0.0.1' });
    dir = await mkdtemp(join(tmpdir(), 'chorus-export-'));
  });

  after(async () => {
    await broken?.close();
    await app?.close();
    await manager?.close();
    await store?.close();
    await client?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string, token: string | null = TOKEN) => fetch(base + path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  async function issuePaths(path: string): Promise<string[]> {
    const res = await get(path);
    assert.equal(res.status, 400, path);
    const body = ApiErrorSchema.parse(await res.json());
    return (body.issues ?? []).map((i) => i.path).sort();
  }

  async function offline(format: ExportFormat, filter: ExportFilterInput = {}): Promise<string> {
    const run = await exportLog(store, { format, filter: ExportFilterSchema.parse(filter) });
    let text = '';
    for await (const chunk of run.chunks) text += chunk;
    return text;
  }

  async function cli(args: readonly string[], url = base, extra: Partial<CliContext> = {}) {
    return runCliInProcess(args, { CHORUS_URL: url, CHORUS_ADMIN_TOKEN: TOKEN }, {
      // Lends the test's store; the CLI's close must leave it open.
      openOfflineLog: async () => ({ store, close: async () => {} }),
      ...extra,
    });
  }

  async function leftovers(): Promise<string[]> {
    return (await readdir(dir)).filter((f) => f.includes('.partial'));
  }

  it('GET /timeline pages one user, or everyone in a window, from the read model', async () => {
    const res = await get(`${UNIFIED_TIMELINE_PATH}?user=${encodeURIComponent(ALICE)}&limit=4`);
    assert.equal(res.status, 200);
    const page = UnifiedTimelinePageSchema.parse(await res.json());
    assert.deepEqual(page.items.map((i) => i.eventType), ['directory.user_provisioned.v1', 'endpoint.registered.v1', 'presence.published.v1', 'presence.watcher_subscribed.v1']);
    assert.equal(page.next, page.items[3]?.position);
    const rest = UnifiedTimelinePageSchema.parse(await (await get(`${UNIFIED_TIMELINE_PATH}?user=${encodeURIComponent(ALICE)}&after=${page.next}&limit=1000`)).json());
    assert.equal(rest.next, null);
    assert.ok(rest.items.every((i) => BigInt(i.position) > BigInt(page.next!)));
    const window = UnifiedTimelinePageSchema.parse(
      await (await get(`${UNIFIED_TIMELINE_PATH}?from=2024-05-01T10:00:00Z&to=2024-05-01T11:00:00Z&workloads=im`)).json(),
    );
    assert.deepEqual(window.items.map((i) => i.eventType), ['im.session_started.v1', 'im.message_sent.v1', 'im.session_ended.v1']);
    assert.equal((await get(UNIFIED_TIMELINE_PATH + '?user=' + encodeURIComponent(ALICE), null)).status, 401);
  });

  it('GET /timeline answers 400 with issue paths for a missing mode, an inverted range or a malformed instant', async () => {
    assert.deepEqual(await issuePaths(UNIFIED_TIMELINE_PATH), ['from', 'to']);
    assert.deepEqual(await issuePaths(`${UNIFIED_TIMELINE_PATH}?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z`), ['to']);
    assert.deepEqual(await issuePaths(`${UNIFIED_TIMELINE_PATH}?user=${encodeURIComponent(ALICE)}&from=2024-13-01`), ['from']);
    assert.deepEqual(await issuePaths(`${UNIFIED_TIMELINE_PATH}?user=alice&workloads=im,fax&limit=0&after=-1`), ['after', 'limit', 'user', 'workloads.1']);
  });

  it('GET /export streams the same bytes as the offline export, in every format, with its last position', async () => {
    for (const format of ['jsonl', 'csv', 'html'] as const) {
      const res = await get(`${EXPORT_PATH}?format=${format}&user=${encodeURIComponent(BOB)}&user=${encodeURIComponent(ALICE)}&from=2024-05-01T09:30:00Z`);
      assert.equal(res.status, 200, format);
      assert.equal(res.headers.get(EXPORT_UP_TO_HEADER), String(await store.headPosition()));
      assert.match(res.headers.get('content-type') ?? '', format === 'jsonl' ? /ndjson/ : format === 'csv' ? /text\/csv/ : /text\/html/);
      assert.equal(await res.text(), await offline(format, { users: [ALICE, BOB], from: '2024-05-01T09:30:00Z' }), format);
    }
  });

  it('GET /export answers 400 with issue paths for a bad format, user, workload or range, and sends no file', async () => {
    assert.deepEqual(await issuePaths(EXPORT_PATH), ['format']);
    assert.deepEqual(await issuePaths(`${EXPORT_PATH}?format=xml&user=bob`), ['format', 'user']);
    assert.deepEqual(await issuePaths(`${EXPORT_PATH}?format=csv&from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z`), ['to']);
    assert.deepEqual(await issuePaths(`${EXPORT_PATH}?format=csv&workloads=sms`), ['workloads.0']);
    assert.equal((await get(`${EXPORT_PATH}?format=csv`, null)).status, 401);
  });

  it('chorus export writes the server export to --out, and the same bytes from the log when no server answers', async () => {
    const online = join(dir, 'online.csv');
    const offlineFile = join(dir, 'offline.csv');
    const args = ['export', '--format', 'csv', '--user', ALICE, '--from', '2024-05-01T10:00:00Z', '--workloads', 'im,calls'];
    const a = await cli([...args, '--out', online]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /read from the server/);
    assert.match(a.stderr, /export csv/, 'a progress line');
    const b = await cli([...args, '--out', offlineFile], `http://127.0.0.1:${CLOSED_PORT}`);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /read from the log/);
    const text = await readFile(online, 'utf8');
    assert.equal(await readFile(offlineFile, 'utf8'), text);
    assert.equal(text, await offline('csv', { users: [ALICE], from: '2024-05-01T10:00:00Z', workloads: ['im', 'calls'] }));
    assert.ok(text.split('\r\n').length > 4);
  });

  it('chorus export refuses a bad filter with usage and exit 2, and writes nothing', async () => {
    const out = join(dir, 'refused.jsonl');
    for (const bad of [
      ['--format', 'jsonl', '--from', '2024-05-02T00:00:00Z', '--to', '2024-05-01T00:00:00Z'],
      ['--format', 'xml'],
      ['--format', 'jsonl', '--user', 'alice@example.test'],
      ['--format', 'jsonl', '--workloads', 'im,fax'],
      ['--format', 'jsonl', '--from', 'tuesday'],
    ]) {
      const r = await cli(['export', ...bad, '--out', out]);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: chorus export/);
      await assert.rejects(readFile(out), { code: 'ENOENT' });
    }
    assert.deepEqual(await leftovers(), []);
  });

  it('chorus export leaves no file, partial or whole, when the export breaks midway or --out cannot be written', async () => {
    const out = join(dir, 'broken.jsonl');
    const r = await cli(['export', '--format', 'jsonl', '--out', out], `http://127.0.0.1:${SERVER_PORT + 2}`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /HTTP 500/, 'JSONL has no header: the failure comes before the first byte');
    await assert.rejects(readFile(out), { code: 'ENOENT' });
    // CSV sends its header row first: this failure cuts a body that has begun.
    const cut = await cli(['export', '--format', 'csv', '--out', out], `http://127.0.0.1:${SERVER_PORT + 2}`);
    assert.equal(cut.code, 1, cut.stderr);
    assert.match(cut.stderr, /export failed: (terminated|aborted)/);
    await assert.rejects(readFile(out), { code: 'ENOENT' });
    const offlineBroken = await cli(['export', '--format', 'jsonl', '--out', out], `http://127.0.0.1:${CLOSED_PORT}`, {
      openOfflineLog: async () => ({ store: failingAfterFirstRead(store), close: async () => {} }),
    });
    assert.equal(offlineBroken.code, 1);
    assert.match(offlineBroken.stderr, /disk on fire/);
    await assert.rejects(readFile(out), { code: 'ENOENT' });
    const nowhere = await cli(['export', '--format', 'jsonl', '--out', join(dir, 'no-such-dir', 'x.jsonl')]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /ENOENT/);
    assert.deepEqual(await leftovers(), []);
  });

  it("chorus export opens a server's PGlite data directory itself (as `chorus` does) when no server answers", async () => {
    const dataDir = join(dir, 'pglite-data');
    const own = await PgliteEventStore.open({ dataDir, catalogue: domainCatalogue });
    try {
      await copyLog(store, own);
    } finally {
      await own.close();
    }
    const out = join(dir, 'from-data-dir.html');
    const env = { CHORUS_URL: `http://127.0.0.1:${CLOSED_PORT}`, CHORUS_ADMIN_TOKEN: TOKEN, CHORUS_STORE: 'pglite', CHORUS_DATA_DIR: dataDir };
    const r = await cli(['export', '--format', 'html', '--user', BOB, '--out', out], env.CHORUS_URL, { env, openOfflineLog });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(out, 'utf8'), await offline('html', { users: [BOB] }));
  });

  it('chorus timeline prints the same page from the server and from the log; bad arguments exit 2', async () => {
    const args = ['timeline', '--user', BOB, '--workloads', 'calls,conferences', '--limit', '3', '--json'];
    const online = await cli(args);
    assert.equal(online.code, 0, online.stderr);
    const offlinePage = await cli(args, `http://127.0.0.1:${CLOSED_PORT}`);
    assert.equal(offlinePage.code, 0, offlinePage.stderr);
    assert.equal(offlinePage.stdout, online.stdout);
    const page = UnifiedTimelinePageSchema.parse(JSON.parse(online.stdout));
    assert.deepEqual(page.items.map((i) => i.eventType), ['call.routed.v1', 'call.forwarded.v1', 'call.routed.v1']);
    assert.equal(page.next, page.items[2]?.position);
    const text = await cli(['timeline', '--from', '2024-05-01T12:00:00Z', '--to', '2024-05-01T13:00:00Z']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /conference\.participant_joined\.v1 +sip:bob@example\.test \(participant\)/);
    assert.match(text.stdout, /events, end\)\n$/);
    for (const bad of [['timeline'], ['timeline', '--from', '2024-05-02T00:00:00Z', '--to', '2024-05-01T00:00:00Z'], ['timeline', '--user', BOB, '--limit', '0']]) {
      const r = await cli(bad);
      assert.equal(r.code, 2, bad.join(' '));
    }
  });
});
