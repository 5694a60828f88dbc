import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { z } from 'zod';
import { createHttpServer, type ApiRoutePlugin, type ApiServer } from '../../../src/api/http-server.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import {
  ConcurrencyError,
  InvalidEventError,
  InvalidStreamNameError,
} from '../../../src/events/errors.ts';
import type { HealthCheck } from '../../../src/api/routes/health-routes.ts';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const silent = pino({ level: 'silent' });

/** A domain-style error following the `httpStatus` convention, without importing the API. */
class UserAlreadyExistsError extends Error {
  readonly code = 'user_already_exists';
  readonly httpStatus = 409;
  readonly details = { sipUri: 'sip:alice@example.test' };
  constructor() {
    super('user sip:alice@example.test already exists');
  }
}

/** Routes that exist only in this test, to exercise validation, auth and error mapping. */
const testRoutes: ApiRoutePlugin = async (app) => {
  app.post(
    '/test/echo',
    {
      schema: {
        body: z.object({ line: z.object({ uri: z.string().startsWith('tel:+') }), count: z.number().int() }),
        response: { 200: z.object({ line: z.object({ uri: z.string() }), count: z.number() }) },
      },
    },
    async (request) => request.body,
  );
  app.get('/test/read', async () => ({ secret: 'presence of alice' }));
  app.post('/test/conflict', async () => {
    throw new ConcurrencyError('user-alice@example.test', 3, 5);
  });
  app.post('/test/invalid-event', async () => {
    const issues = z.object({ endpoint: z.object({ id: z.string() }) }).safeParse({ endpoint: { id: 7 } }).error!.issues;
    throw new InvalidEventError('presence.published', issues);
  });
  app.post('/test/bad-stream', async () => {
    throw new InvalidStreamNameError('no category', 'must be <category>-<id>');
  });
  app.post('/test/declared', async () => {
    throw new UserAlreadyExistsError();
  });
  app.get('/test/crash', async () => {
    throw new Error('connection string postgres://secret@db leaked?');
  });
};

function server(options: { healthChecks?: readonly HealthCheck[] } = {}): ApiServer {
  return createHttpServer({
    config: { adminToken: ADMIN_TOKEN, store: 'pglite' },
    version: '9.8.7-test',
    logger: silent,
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    routes: [testRoutes],
    ...options,
  });
}

const ApiErrorShape = z.looseObject({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

describe('HTTP API foundation (inject)', () => {
  let app: ApiServer;
  before(async () => {
    app = server();
    await app.ready();
  });
  after(() => app.close());

  it('GET /health answers without a token with store, version and uptime', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = z
      .object({ status: z.string(), store: z.string(), version: z.string(), uptimeSeconds: z.number(), checks: z.array(z.unknown()) })
      .parse(res.json());
    assert.deepEqual(
      { status: body.status, store: body.store, version: body.version, checks: body.checks },
      { status: 'ok', store: 'pglite', version: '9.8.7-test', checks: [] },
    );
    assert.ok(body.uptimeSeconds >= 0);
  });

  it('GET /openapi.json is an OpenAPI 3 document with /health, public routes marked, bearer scheme declared', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const doc = z
      .object({
        openapi: z.string().regex(/^3\.\d+\.\d+$/),
        info: z.object({ title: z.string(), version: z.string() }),
        paths: z.record(z.string(), z.record(z.string(), z.looseObject({ responses: z.record(z.string(), z.unknown()) }))),
        components: z.object({ securitySchemes: z.record(z.string(), z.looseObject({ type: z.string(), scheme: z.string() })) }),
        security: z.array(z.record(z.string(), z.array(z.string()))),
      })
      .parse(res.json());
    assert.equal(doc.info.version, '9.8.7-test');
    const scheme = doc.components.securitySchemes['adminToken'];
    assert.equal(scheme?.type, 'http');
    assert.equal(scheme?.scheme, 'bearer');
    assert.deepEqual(doc.security, [{ adminToken: [] }]);
    const health = doc.paths['/health']?.['get'];
    assert.ok(health, 'the health operation is documented');
    assert.ok(health.responses['200']);
    assert.deepEqual(health['security'], [], 'health needs no token');
    const echo = doc.paths['/test/echo']?.['post'];
    assert.ok(echo, 'route plugins are documented');
    assert.equal(echo['security'], undefined, 'protected routes inherit the global security');
    assert.equal(doc.paths['/openapi.json'], undefined, 'the document does not describe itself');
  });

  it('GET /metrics is Prometheus text with the request-duration histogram by route and status', async () => {
    await app.inject({ method: 'GET', url: '/health' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^# TYPE chorus_http_request_duration_seconds histogram$/m);
    assert.match(res.body, /^chorus_http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} [1-9]\d*$/m);
  });

  it('refuses reads and writes without the admin token: 401 with a Bearer challenge', async () => {
    for (const request of [
      { method: 'GET', url: '/test/read' },
      { method: 'POST', url: '/test/echo', payload: { line: { uri: 'tel:+1' }, count: 1 } },
    ] as const) {
      const res = await app.inject(request);
      assert.equal(res.statusCode, 401, `${request.method} ${request.url}`);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="chorus"');
      assert.equal(ApiErrorShape.parse(res.json()).error, 'unauthorized');
      assert.doesNotMatch(res.body, /presence of alice/);
    }
  });

  it('refuses a wrong token as invalid_token and a non-Bearer scheme', async () => {
    const wrong = await app.inject({ method: 'GET', url: '/test/read', headers: { authorization: 'Bearer not-the-token' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="chorus", error="invalid_token"');
    const basic = await app.inject({ method: 'GET', url: '/test/read', headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    assert.equal(basic.statusCode, 401);
    const prefix = await app.inject({ method: 'GET', url: '/test/read', headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });
    assert.equal(prefix.statusCode, 401);
  });

  it('serves a protected route with the token (scheme case-insensitive)', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/read', headers: { authorization: `bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { secret: 'presence of alice' });
  });

  it('answers a zod validation failure with 400 and dotted issue paths', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: AUTH,
      payload: { line: { uri: 'sip:x' }, count: 1.5 },
    });
    assert.equal(res.statusCode, 400);
    const body = ApiErrorShape.parse(res.json());
    assert.equal(body.error, 'bad_request');
    assert.deepEqual(body.issues?.map((i) => i.path).sort(), ['count', 'line.uri']);
    assert.ok(body.issues?.every((i) => i.message.length > 0));
  });

  it('answers malformed JSON with 400 bad_request', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"line":',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(ApiErrorShape.parse(res.json()).error, 'bad_request');
  });

  it('maps ConcurrencyError to 409 concurrency_conflict with expected and actual', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/conflict', headers: AUTH });
    assert.equal(res.statusCode, 409);
    const body = ApiErrorShape.parse(res.json());
    assert.equal(body.error, 'concurrency_conflict');
    assert.equal(body['expected'], 3);
    assert.equal(body['actual'], 5);
  });

  it('maps InvalidEventError and InvalidStreamNameError to 400 with issues', async () => {
    const invalid = await app.inject({ method: 'POST', url: '/test/invalid-event', headers: AUTH });
    assert.equal(invalid.statusCode, 400);
    const invalidBody = ApiErrorShape.parse(invalid.json());
    assert.equal(invalidBody.error, 'invalid_event');
    assert.deepEqual(invalidBody.issues?.map((i) => i.path), ['endpoint.id']);

    const stream = await app.inject({ method: 'POST', url: '/test/bad-stream', headers: AUTH });
    assert.equal(stream.statusCode, 400);
    const streamBody = ApiErrorShape.parse(stream.json());
    assert.equal(streamBody.error, 'invalid_stream_name');
    assert.deepEqual(streamBody.issues?.map((i) => i.path), ['streamId']);
  });

  it('answers errors declaring code and httpStatus with that status, code and details', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/declared', headers: AUTH });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json(), {
      error: 'user_already_exists',
      message: 'user sip:alice@example.test already exists',
      sipUri: 'sip:alice@example.test',
    });
  });

  it('answers an unexpected error with 500 and no detail or stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/crash', headers: AUTH });
    assert.equal(res.statusCode, 500);
    const body = ApiErrorShape.parse(res.json());
    assert.equal(body.error, 'internal_error');
    assert.equal(typeof body['requestId'], 'string');
    assert.doesNotMatch(res.body, /secret|postgres|stack|at /);
  });

  it('answers an unknown route with a 404 JSON error when authenticated, 401 otherwise', async () => {
    const known = await app.inject({ method: 'GET', url: '/no/such/route?x=1', headers: AUTH });
    assert.equal(known.statusCode, 404);
    assert.deepEqual(known.json(), { error: 'not_found', message: 'no route for GET /no/such/route' });
    const anonymous = await app.inject({ method: 'GET', url: '/no/such/route' });
    assert.equal(anonymous.statusCode, 401);
  });
});

describe('HTTP API foundation (readiness checks)', () => {
  it('reports 503 unavailable when a readiness check fails, without the thrown detail', async () => {
    const app = server({
      healthChecks: [
        { name: 'projection presence', check: async () => ({ ok: false, detail: '1200 events behind' }) },
        { name: 'event store', check: async () => ({ ok: true }) },
        {
          name: 'sip engine',
          check: async () => {
            throw new Error('socket /var/run/secret');
          },
        },
      ],
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(res.statusCode, 503);
      const body = z.looseObject({ status: z.string(), checks: z.array(z.unknown()) }).parse(res.json());
      assert.equal(body.status, 'unavailable');
      assert.deepEqual(body.checks, [
        { name: 'projection presence', ok: false, detail: '1200 events behind' },
        { name: 'event store', ok: true },
        { name: 'sip engine', ok: false, detail: 'check failed' },
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('HTTP API foundation (real HTTP on port 0)', () => {
  let app: ApiServer;
  let base: string;
  before(async () => {
    app = server();
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  it('serves /health, /metrics and /openapi.json over the network without a token', async () => {
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(z.object({ status: z.string() }).loose().parse(await health.json()).status, 'ok');
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /chorus_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/health",status_code="200"\}/);
    const spec = await fetch(`${base}/openapi.json`);
    assert.equal(spec.status, 200);
    assert.match(z.object({ openapi: z.string() }).loose().parse(await spec.json()).openapi, /^3\./);
  });

  it('enforces the token and validation over the network', async () => {
    const anonymous = await fetch(`${base}/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ line: { uri: 'tel:+1' }, count: 1 }),
    });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="chorus"');

    const invalid = await fetch(`${base}/test/echo`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ line: {}, count: 1 }),
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(ApiErrorShape.parse(await invalid.json()).issues?.map((i) => i.path), ['line.uri']);

    const ok = await fetch(`${base}/test/echo`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ line: { uri: 'tel:+15551234567' }, count: 2 }),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { line: { uri: 'tel:+15551234567' }, count: 2 });
  });
});
