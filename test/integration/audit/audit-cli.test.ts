import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { DomainWorkload } from '../../../bench/projections-workload.ts';
import { AuditVerifyResultSchema } from '../../../src/api/contract/audit-contract.ts';
import { createHttpServer, type ApiServer } from '../../../src/api/http-server.ts';
import { auditRoutes } from '../../../src/api/routes/audit-routes.ts';
import { loadAuditConfig } from '../../../src/audit/audit-config.ts';
import { AuditSigner } from '../../../src/audit/audit-keys.ts';
import { ChainKeeper } from '../../../src/audit/chain-keeper.ts';
import { openAuditDatabase } from '../../../src/cli/audit-database.ts';
import { domainCatalogue } from '../../../src/events/domain/domain-catalogue.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import { closedPort, runCliInProcess } from '../../support/cli-in-process.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ADMIN_TOKEN = 'audit-cli-test-token-0123456789';
/** From this helper's port range (58100-58109). */
const HTTP_PORT = 58101;



/** A log of 250 domain events in `client`, chained and signed every 40 events by `signer`. */
async function seedChained(client: PgliteClient, signer: AuditSigner): Promise<bigint> {
  const store = await PgliteEventStore.open({ client, catalogue: domainCatalogue });
  try {
    const workload = new DomainWorkload({ events: 250, users: 6, roundEvents: 50 });
    for (const round of workload.rounds())
      for (const append of round) await store.append(append.streamId, append.events, { expectedVersion: append.expectedVersion });
    const keeper = await ChainKeeper.open({ client, signer, checkpointEvery: 40, checkpointSeconds: 0 });
    await keeper.catchUp();
    await keeper.close();
    return await store.headPosition();
  } finally {
    await store.close();
  }
}

async function withDataDir<T>(dir: string, fn: (client: PgliteClient) => Promise<T>): Promise<T> {
  const client = await PgliteClient.open({ dataDir: dir });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('chorus audit verify', () => {
  let dir: string;
  let keyFile: string;
  let publicKeyFile: string;
  let env: NodeJS.ProcessEnv;
  let head: bigint;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chorus-audit-cli-'));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    keyFile = join(dir, 'audit-signing.pem');
    publicKeyFile = join(dir, 'audit-public.pem');
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const signer = loadAuditConfig({ CHORUS_AUDIT_SIGNING_KEY: keyFile }).signer!;
    head = await withDataDir(join(dir, 'log'), (client) => seedChained(client, signer));
    env = {
      CHORUS_URL: `http://127.0.0.1:${await closedPort()}`,
      CHORUS_STORE: 'pglite',
      CHORUS_DATA_DIR: join(dir, 'log'),
      CHORUS_AUDIT_PUBLIC_KEY: publicKeyFile,
      LOG_LEVEL: 'silent',
    };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('offline, untouched: exit 0, every event checked against the configured key, a progress bar on stderr', async () => {
    const { code, stdout, stderr } = await runCliInProcess(['audit', 'verify'], env, { openAuditDatabase });
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`positions 1\\.\\.${head} `));
    assert.match(stdout, new RegExp(`events checked ${head}, checkpoints verified ${Math.floor(Number(head) / 40)} `));
    assert.match(stdout, /signatures against configured keys/);
    assert.match(stdout, /^OK: no tampering found$/m);
    assert.match(stderr, /audit verify \[/);
  });

  it('bad ranges are usage errors (exit 2) and read nothing', async () => {
    for (const args of [
      ['--from', '9', '--to', '3'],
      ['--from', 'abc'],
      ['--to', '0'],
      ['--from', '-4'],
    ]) {
      const { code, stdout, stderr } = await runCliInProcess(['audit', 'verify', ...args], { ...env, CHORUS_DATA_DIR: join(dir, 'nowhere') }, { openAuditDatabase });
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.match(stderr, /--(from|to)/);
    }
  });

  it('a log edited behind its back: exit 1 and the first modified position', async () => {
    await withDataDir(join(dir, 'log'), (client) =>
      client.exec(`
        CREATE TABLE IF NOT EXISTS saved AS SELECT global_position, data FROM chorus_events WHERE global_position IN (77, 201);
        UPDATE chorus_events SET data = data || '{"edited": 1}' WHERE global_position IN (77, 201);`),
    );
    try {
      const { code, stdout } = await runCliInProcess(['audit', 'verify'], env, { openAuditDatabase });
      assert.equal(code, 1);
      assert.match(stdout, /^TAMPERED: first problem at position 77: modified/m);
      assert.match(stdout, /then at 201: modified/);
      // A range that ends before the edit is clean.
      assert.equal((await runCliInProcess(['audit', 'verify', '--to', '76'], env, { openAuditDatabase })).code, 0);
      const json = await runCliInProcess(['audit', 'verify', '--from', '100', '--json'], env, { openAuditDatabase });
      assert.equal(json.code, 1);
      const verdict = AuditVerifyResultSchema.parse(JSON.parse(json.stdout));
      assert.deepEqual(verdict.firstProblem && { kind: verdict.firstProblem.kind, position: verdict.firstProblem.position }, {
        kind: 'modified',
        position: '201',
      });
    } finally {
      await withDataDir(join(dir, 'log'), (client) =>
        client.exec(`UPDATE chorus_events e SET data = s.data FROM saved s WHERE e.global_position = s.global_position; DROP TABLE saved;`),
      );
    }
    assert.equal((await runCliInProcess(['audit', 'verify'], env, { openAuditDatabase })).code, 0);
  });

  it('with a key that did not sign the checkpoints: untrusted_key, exit 1', async () => {
    const other = join(dir, 'other-public.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const { code, stdout } = await runCliInProcess(['audit', 'verify'], { ...env, CHORUS_AUDIT_PUBLIC_KEY: other }, { openAuditDatabase });
    assert.equal(code, 1);
    assert.match(stdout, /first problem at position 40: untrusted_key/);
  });

  it('the installed command is wired (bin/chorus.js): inverted range exits 2', async () => {
    const child = spawn(process.execPath, ['bin/chorus.js', 'audit', 'verify', '--from', '9', '--to', '3'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', CHORUS_URL: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 2, stderr);
    assert.match(stderr, /--from: must not be after to/);
  });

  describe('against a server (GET /audit/verify)', () => {
    let client: PgliteClient;
    let app: ApiServer;
    const signer = AuditSigner.ephemeral();
    let serverHead: bigint;

    before(async () => {
      client = await PgliteClient.open();
      serverHead = await seedChained(client, signer);
      app = createHttpServer({
        config: { adminToken: ADMIN_TOKEN, store: 'pglite' },
        version: 'test',
        logger: pino({ level: 'silent' }),
        routes: [auditRoutes({ client, trustedKeys: null })],
      });
      await app.listen({ port: HTTP_PORT, host: '127.0.0.1' });
    });

    after(async () => {
      await app?.close();
      await client?.close();
    });

    const serverEnv = (): NodeJS.ProcessEnv => ({ CHORUS_URL: `http://127.0.0.1:${HTTP_PORT}`, CHORUS_ADMIN_TOKEN: ADMIN_TOKEN });

    it('HTTP: 200 ok over the whole chain, trust = log with a warning; 400 with the issue path for bad ranges; 401 without token', async () => {
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const ok = await app.inject({ method: 'GET', url: '/audit/verify', headers: auth });
      assert.equal(ok.statusCode, 200);
      const body = AuditVerifyResultSchema.parse(ok.json());
      assert.equal(body.ok, true);
      assert.equal(body.eventsChecked, Number(serverHead));
      assert.equal(body.trust, 'log');
      assert.ok(body.warnings.some((w) => /keys recorded in the log/.test(w)));
      for (const url of ['/audit/verify?from=10&to=2', '/audit/verify?from=x', '/audit/verify?to=0']) {
        const bad = await app.inject({ method: 'GET', url, headers: auth });
        assert.equal(bad.statusCode, 400, url);
        const issues = (bad.json() as { issues: { path: string }[] }).issues;
        assert.ok(issues.some((i) => i.path === 'from' || i.path === 'to'), `${url}: ${bad.body}`);
      }
      assert.equal((await app.inject({ method: 'GET', url: '/audit/verify' })).statusCode, 401);
      const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(openapi.statusCode, 200);
      const parameters = (openapi.json() as { paths: Record<string, { get: { parameters: { name: string }[] } }> }).paths['/audit/verify']?.get.parameters;
      assert.deepEqual(parameters?.map((p) => p.name).sort(), ['from', 'to']);
    });

    it('CLI online: exit 0 when intact; a deleted row → exit 1 naming its position', async () => {
      const intact = await runCliInProcess(['audit', 'verify'], serverEnv(), { openAuditDatabase });
      assert.equal(intact.code, 0, intact.stderr);
      assert.match(intact.stderr, /warning: checkpoint signatures were checked against the public keys recorded in the log/);
      await client.exec(`
        CREATE TABLE saved_row AS SELECT global_position, event_id, stream_id, stream_version, event_type, data, metadata FROM chorus_events WHERE global_position = 123;
        DELETE FROM chorus_events WHERE global_position = 123;`);
      try {
        const tampered = await runCliInProcess(['audit', 'verify', '--from', '100', '--to', '200'], serverEnv(), { openAuditDatabase });
        assert.equal(tampered.code, 1);
        assert.match(tampered.stdout, /^TAMPERED: first problem at position 123: deleted/m);
        const http = await app.inject({ method: 'GET', url: '/audit/verify', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        const body = AuditVerifyResultSchema.parse(http.json());
        assert.equal(body.ok, false);
        assert.deepEqual(body.firstProblem?.position, '123');
      } finally {
        await client.exec(`
          INSERT INTO chorus_events (global_position, event_id, stream_id, stream_version, event_type, data, metadata) OVERRIDING SYSTEM VALUE
            SELECT * FROM saved_row;
          DROP TABLE saved_row;`);
      }
    });
  });
});
