import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { z } from 'zod';
import { createHttpServer, type ApiRoutePlugin, type ApiServer } from '../../../src/api/http-server.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { ApiErrorSchema } from '../../../src/api/api-error.ts';
import {
  AddUserRequestSchema,
  USERS_PATH,
  UserCreatedSchema,
  type AddUserRequest,
} from '../../../src/api/contract/users-contract.ts';
import { REPLAY_PATH, ReplayQuerySchema, ReplayResultSchema, type ReplayQuery, type ReplayResult } from '../../../src/api/contract/replay-contract.ts';
import {
  PROJECTIONS_PATH,
  ProjectionNameSchema,
  ProjectionRebuildAcceptedSchema,
  ProjectionsStatusSchema,
} from '../../../src/api/contract/projections-contract.ts';
import { ChorusApiClient } from '../../../src/cli/api-client.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from '../../../src/cli/api-client-errors.ts';
import type { OfflineBackend } from '../../../src/cli/chorus-backend.ts';
import { runCliInProcess } from '../../support/cli-in-process.ts';

const ADMIN_TOKEN = 'cli-test-admin-token-0123456789';

const REPLAYED_STATE: ReplayResult['state'] = {
  provisioned: true,
  displayName: 'Alice',
  lineUri: 'tel:+15550100001',
  presence: { availability: 'busy', code: 6500, activity: 'In a call', note: null, source: 'call' },
  registrations: [
    {
      contact: 'sip:alice@192.0.2.1:5060',
      transport: 'udp',
      sourceAddress: '192.0.2.1:5060',
      userAgent: null,
      registeredAt: '2025-01-31T08:00:00.000Z',
      expiresAt: '2025-01-31T09:30:00.000Z',
    },
  ],
  forwarding: { immediate: null, noAnswer: { target: 'sip:bob@example.test', afterSeconds: 20 }, busy: null, unreachable: null },
  simultaneousRing: [],
  delegates: [],
  calls: [{ sipCallId: 'c-1', caller: 'sip:alice@example.test', callee: 'sip:bob@example.test', answered: true, parties: ['sip:alice@example.test', 'sip:bob@example.test'] }],
};

/**
 * Routes written against the API contract the way the domain route plugins will
 * be; they record what reached them so the tests can check what the CLI sent.
 */
function contractRoutes(received: { users: AddUserRequest[]; replays: ReplayQuery[]; rebuilds: string[] }): ApiRoutePlugin {
  return async (app) => {
    app.post(USERS_PATH, { schema: { body: AddUserRequestSchema, response: { 201: UserCreatedSchema, 409: ApiErrorSchema } } }, async (request, reply) => {
      if (received.users.some((u) => u.sipUri === request.body.sipUri))
        return reply.code(409).send({ error: 'user_already_exists', message: `${request.body.sipUri} already exists` });
      received.users.push(request.body);
      return reply.code(201).send({ sipUri: request.body.sipUri, lineUri: request.body.lineUri });
    });
    app.get(REPLAY_PATH, { schema: { querystring: ReplayQuerySchema, response: { 200: ReplayResultSchema } } }, async (request) => {
      received.replays.push(request.query);
      return { user: request.query.user, at: request.query.at, position: '42', state: REPLAYED_STATE };
    });
    app.get(PROJECTIONS_PATH, { schema: { response: { 200: ProjectionsStatusSchema } } }, async () => ({
      headPosition: String(1234n),
      projections: [
        { name: 'presence', status: 'running', position: '1234', lag: 0 },
        { name: 'registrations', status: 'catching-up', position: '1000', lag: 234 },
      ],
    }));
    app.post(
      `${PROJECTIONS_PATH}/:name/rebuild`,
      { schema: { params: z.object({ name: ProjectionNameSchema }), response: { 202: ProjectionRebuildAcceptedSchema } } },
      async (request, reply) => {
        received.rebuilds.push(request.params.name);
        return reply.code(202).send({ name: request.params.name, status: 'rebuilding' });
      },
    );
  };
}

/** A route that breaks the contract, to see how the client reports version skew. */
const skewedRoutes: ApiRoutePlugin = async (app) => {
  app.get(PROJECTIONS_PATH, async () => ({ projections: 'none' }));
};

async function listen(app: ApiServer): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function newServer(routes: ApiRoutePlugin): ApiServer {
  return createHttpServer({
    config: { adminToken: ADMIN_TOKEN, store: 'pglite' },
    version: '0.0.0-test',
    logger: pino({ level: 'silent' }),
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    routes: [routes],
  });
}

const cli = runCliInProcess;

describe('chorus CLI and ChorusApiClient against a real HTTP server', () => {
  const received = { users: [] as AddUserRequest[], replays: [] as ReplayQuery[], rebuilds: [] as string[] };
  let app: ApiServer;
  let url: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    app = newServer(contractRoutes(received));
    url = await listen(app);
    env = { CHORUS_URL: url, CHORUS_ADMIN_TOKEN: ADMIN_TOKEN };
  });
  after(() => app.close());

  it('user add sends the validated request with the token and reports the created user', async () => {
    const result = await cli(['user', 'add', 'sip:alice@example.test', '--password', 's3cret', '--line', 'tel:+15551234567'], env);
    assert.deepEqual(result, { code: 0, stdout: 'added sip:alice@example.test with line tel:+15551234567\n', stderr: '' });
    assert.deepEqual(received.users, [{ sipUri: 'sip:alice@example.test', password: 's3cret', lineUri: 'tel:+15551234567' }]);
  });

  it('user add of an existing user exits 1 with the server refusal', async () => {
    const result = await cli(['user', 'add', 'sip:alice@example.test', '--password', 'other'], env);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'chorus: add user sip:alice@example.test: HTTP 409 user_already_exists: sip:alice@example.test already exists\n');
    assert.equal(received.users.length, 1);
  });

  it('replay passes user and instant and prints the state as JSON with --json', async () => {
    const result = await cli(['replay', '--user', 'sip:alice@example.test', '--at', '2025-01-31T09:00:00Z', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      user: 'sip:alice@example.test',
      at: '2025-01-31T09:00:00Z',
      position: '42',
      state: REPLAYED_STATE,
    });
    assert.deepEqual(received.replays, [{ user: 'sip:alice@example.test', at: '2025-01-31T09:00:00Z' }]);
  });

  it('replay prints presence, registrations, forwarding and calls as text', async () => {
    const result = await cli(['replay', '--user', 'sip:alice@example.test', '--at', '2025-01-31T09:00:00Z'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sip:alice@example\.test as of 2025-01-31T09:00:00Z \(log position 42\)$/m);
    assert.match(result.stdout, /presence +busy \(6500\), In a call \[call\]/);
    assert.match(result.stdout, /registered +sip:alice@192\.0\.2\.1:5060 via udp from 192\.0\.2\.1:5060/);
    assert.match(result.stdout, /forward noAnswer +\{"target":"sip:bob@example\.test","afterSeconds":20\}/);
    assert.match(result.stdout, /call +c-1: sip:alice@example\.test → sip:bob@example\.test answered/);
  });

  it('projections status prints a table with the log head', async () => {
    const result = await cli(['projections', 'status'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'log head 1234',
        'PROJECTION     STATUS       POSITION  LAG',
        'presence       running      1234      0',
        'registrations  catching-up  1000      234',
        '',
      ].join('\n'),
    );
  });

  it('projections rebuild posts to the named projection', async () => {
    const result = await cli(['projections', 'rebuild', 'presence'], env);
    // The CLI follows the rebuild by polling GET /projections; this server's presence is already not rebuilding.
    assert.deepEqual({ code: result.code, stdout: result.stdout }, { code: 0, stdout: 'rebuild of presence: done at position 1234\n' });
    assert.deepEqual(received.rebuilds, ['presence']);
  });

  it('without the admin token exits 1 and says which variable to set', async () => {
    const result = await cli(['projections', 'status'], { CHORUS_URL: url });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /HTTP 401 unauthorized: .*; set CHORUS_ADMIN_TOKEN/);
  });

  it('the client reads /health without a token', async () => {
    const health = await new ChorusApiClient({ baseUrl: `${url}/` }).health();
    assert.equal(health.status, 'ok');
    assert.equal(health.version, '0.0.0-test');
  });

  it('the client throws ApiRequestError carrying the ApiError body', async () => {
    const client = new ChorusApiClient({ baseUrl: url, adminToken: 'wrong-token-wrong-token' });
    const error = await client.projectionsStatus().then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiRequestError);
    assert.equal(error.status, 401);
    assert.equal(error.body?.error, 'unauthorized');
  });
});

describe('chorus CLI against servers that cannot serve it', () => {
  it('reports an answer that breaks the contract as unexpected (exit 1)', async () => {
    const app = newServer(skewedRoutes);
    try {
      const url = await listen(app);
      const client = new ChorusApiClient({ baseUrl: url, adminToken: ADMIN_TOKEN });
      await assert.rejects(client.projectionsStatus(), (e: unknown) => e instanceof ApiProtocolError && /headPosition/.test(e.message));
      const result = await cli(['projections', 'status'], { CHORUS_URL: url, CHORUS_ADMIN_TOKEN: ADMIN_TOKEN });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^chorus: projections status: unexpected answer/);
    } finally {
      await app.close();
    }
  });

  it('reports a server without the route as not offering the operation', async () => {
    const app = newServer(async () => undefined);
    try {
      const url = await listen(app);
      const result = await cli(['projections', 'rebuild', 'presence'], { CHORUS_URL: url, CHORUS_ADMIN_TOKEN: ADMIN_TOKEN });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /HTTP 404 not_found: .*does not offer the operation/);
    } finally {
      await app.close();
    }
  });

  it('uses the offline backend, when one is wired, only if no server answers', async () => {
    const app = newServer(async () => undefined);
    await listen(app);
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await app.close();

    const opened: string[] = [];
    let closed = 0;
    const offline: OfflineBackend = {
      replay: async () => assert.fail('not used'),
      rebuildProjection: async () => assert.fail('not used'),
      projectionsStatus: async () => ({ headPosition: '7', projections: [{ name: 'presence', status: 'offline', position: '7', lag: 0 }] }),
      close: async () => {
        closed += 1;
      },
    };
    const result = await cli(['projections', 'status'], { CHORUS_URL: url, CHORUS_STORE: 'pglite' }, {
      openOfflineBackend: async (env) => {
        opened.push(env['CHORUS_STORE'] ?? '');
        return offline;
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^presence\s+offline\s+7\s+0$/m);
    assert.deepEqual(opened, ['pglite']);
    assert.equal(closed, 1);

    await assert.rejects(
      new ChorusApiClient({ baseUrl: url }).projectionsStatus(),
      (e: unknown) => e instanceof ApiUnreachableError && e.reason === 'ECONNREFUSED',
    );
  });
});
