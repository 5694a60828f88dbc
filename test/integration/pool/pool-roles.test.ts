/**
 * `chorus serve --role`: bad role choices fail fast through the real CLI
 * process; then a whole pool of processes (relay, projector, two front ends)
 * over one PostgreSQL log and a real Kafka broker: a user provisioned through
 * front end 1's API appears in front end 2's in-memory views, which only Kafka
 * feeds (front ends run no projection of their own).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KAFKA_BROKERS, createSchema, deleteTopic, poolSkip, readTopicValues, runId, type TestSchema } from '../../support/kafka/pool-harness.ts';
import { RoleProcess, roleHealth, type HealthBody } from '../../support/kafka/role-process.ts';
import { waitUntil } from '../../support/wait-until.ts';

const CHORUS = fileURLToPath(new URL('../../../bin/chorus.js', import.meta.url));
const ADMIN_TOKEN = 'pool-roles-test-admin-token';
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The variables a child must not inherit from the test's own environment. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], LOG_LEVEL: 'info' };
  return { ...env, ...extra };
}

interface Finished {
  readonly code: number | null;
  readonly stderr: string;
}

async function runToExit(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(process.execPath, [CHORUS, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('chorus serve --role (CLI process)', { timeout: 60_000 }, () => {
  it('refuses an unknown role with usage and exit 2, starting nothing', async () => {
    const r = await runToExit(['serve', '--role', 'backend'], baseEnv({}));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /argument 'backend' is invalid\. Allowed choices are all, frontend, projector, relay/);
  });

  it('refuses a Kafka role without KAFKA_BROKERS, naming the variable, exit 1', async () => {
    for (const role of ['relay', 'projector', 'frontend']) {
      const r = await runToExit(['serve', '--role', role], baseEnv({ CHORUS_STORE: 'postgres', DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' }));
      assert.equal(r.code, 1, `${role}: ${r.stderr}`);
      assert.equal(r.stderr, `chorus: --role ${role}: needs Kafka: KAFKA_BROKERS: is required\n`);
    }
  });

  it('refuses a role its store cannot serve (relay off PostgreSQL, front end on PGlite), exit 1', async () => {
    const relay = await runToExit(['serve', '--role', 'relay'], baseEnv({ KAFKA_BROKERS: '127.0.0.1:1', CHORUS_STORE: 'pglite' }));
    assert.equal(relay.code, 1);
    assert.match(relay.stderr, /^chorus: --role relay: CHORUS_STORE must be postgres .*not pglite\n$/);
    const frontend = await runToExit(['serve', '--role', 'frontend'], baseEnv({ KAFKA_BROKERS: '127.0.0.1:1', CHORUS_STORE: 'pglite' }));
    assert.equal(frontend.code, 1);
    assert.match(frontend.stderr, /^chorus: --role frontend: CHORUS_STORE must be postgres or eventstoredb/);
    const projector = await runToExit(
      ['serve', '--role', 'projector'],
      baseEnv({ KAFKA_BROKERS: '127.0.0.1:1', CHORUS_STORE: 'eventstoredb', ESDB_URL: 'esdb://127.0.0.1:1?tls=false' }),
    );
    assert.equal(projector.code, 1);
    assert.match(projector.stderr, /^chorus: --role projector: DATABASE_URL is required/);
  });
});

async function health(url: string): Promise<HealthBody> {
  return (await roleHealth(url)).body;
}

describe('A pool of processes: relay, projector, two front ends (real broker + PostgreSQL)', { skip: poolSkip, timeout: 180_000 }, () => {
  let schema: TestSchema;
  const processes: RoleProcess[] = [];
  const run = runId();
  const topic = `chorus-test-roles-${run}`;

  before(async () => {
    schema = await createSchema('chorus_pool_roles');
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await schema?.drop();
    await deleteTopic(topic);
  });

  it('provisions through front end 1 and serves it from front end 2, whose views Kafka feeds', async () => {
    const env = (role: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
      baseEnv({
        CHORUS_STORE: 'postgres',
        DATABASE_URL: schema.url,
        KAFKA_BROKERS: KAFKA_BROKERS ?? '',
        CHORUS_KAFKA_TOPIC: topic,
        CHORUS_KAFKA_CLIENT_ID: `chorus-test-${run}`,
        CHORUS_KAFKA_CONNECT_TIMEOUT_MS: '20000',
        CHORUS_KAFKA_SESSION_TIMEOUT_MS: '6000',
        CHORUS_ADMIN_TOKEN: ADMIN_TOKEN,
        CHORUS_DEMO: 'off',
        CHORUS_DOMAIN: 'pool.test',
        CHORUS_NODE_ID: `${role}-${run}`,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        SIP_PORT: '0',
        ...extra,
      });
    const relay = new RoleProcess('relay', 'relay', env('relay', { CHORUS_KAFKA_CREATE_TOPIC: 'true' }));
    processes.push(relay);
    const relayUrl = await relay.url;
    const projector = new RoleProcess('projector', 'projector', env('projector'));
    processes.push(projector);
    const fe1 = new RoleProcess('fe1', 'frontend', env('fe1'));
    const fe2 = new RoleProcess('fe2', 'frontend', env('fe2'));
    processes.push(fe1, fe2);
    const [projectorUrl, fe1Url, fe2Url] = await Promise.all([projector.url, fe1.url, fe2.url]);

    const aor = 'sip:ada@pool.test';
    const path = `/users/${encodeURIComponent(aor)}/presence`;
    assert.equal((await fetch(`${fe2Url}${path}`, { headers: AUTH })).status, 404, 'front end 2 does not know the user yet');

    const created = await fetch(`${fe1Url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ sipUri: aor, password: 'correct horse battery' }),
    });
    assert.equal(created.status, 201, await created.text());

    // Front end 2 appended nothing and runs no projection: only the relay → Kafka → its feed can bring the user.
    await waitUntil('front end 2 knows the user', async () => (await fetch(`${fe2Url}${path}`, { headers: AUTH })).status === 200, 60_000);
    const presence = (await (await fetch(`${fe2Url}${path}`, { headers: AUTH })).json()) as { sipUri: string };
    assert.equal(presence.sipUri, aor);

    // The projector wrote the shared read model (front ends have no SQL runner of their own).
    const client = schema.client(1);
    let displayName = '';
    let logEvents = 0;
    try {
      await waitUntil(
        'the projector wrote the directory row',
        async () => (await client.query(`SELECT 1 FROM directory_users WHERE sip_uri = $1`, [aor])).rows.length === 1,
        60_000,
      );
      displayName = (await client.query<{ display_name: string }>(`SELECT display_name FROM directory_users WHERE sip_uri = $1`, [aor])).rows[0]!.display_name;
      logEvents = Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM chorus_events`)).rows[0]!.n);
    } finally {
      await client.close();
    }
    // The relay publishes the log as stored: the display name the projector opened is sealed on the topic.
    const values = await readTopicValues(topic, logEvents);
    assert.ok(values.some((v) => v.includes('"displayName":"chorus-sealed:v1:')), 'the topic holds the sealed display name');
    assert.ok(!values.some((v) => v.includes(JSON.stringify(displayName))), `no message carries the plaintext ${displayName}`);

    // Readiness reports each role's own parts.
    const names = async (url: string): Promise<string[]> => (await health(url)).checks.map((c) => c.name);
    assert.deepEqual(await names(relayUrl), ['relay']);
    assert.deepEqual(await names(projectorUrl), ['projector']);
    assert.deepEqual(await names(fe2Url), ['projections']);
    await waitUntil('every role is ready', async () => {
      const all = await Promise.all([relayUrl, projectorUrl, fe1Url, fe2Url].map(health));
      return all.every((h) => h.status === 'ok');
    }, 30_000);
    assert.match((await health(relayUrl)).checks[0]!.detail ?? '', /^lag 0 events/);
    assert.match((await health(fe2Url)).checks[0]!.detail ?? '', /^max lag 0 events/);

    for (const p of [fe2, fe1, projector, relay]) assert.equal(await p.stop(), 0, `${p.name} stopped cleanly: ${p.stderr}`);
  });
});
