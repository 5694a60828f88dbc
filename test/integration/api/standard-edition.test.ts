import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition } from '../../../src/edition/standard-edition.ts';
import { ShutdownStack } from '../../../src/edition/shutdown-stack.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { chorusVersion } from '../../../src/edition/chorus-version.ts';

const silent = pino({ level: 'silent' });

describe('startStandardEdition', () => {
  it('serves the API at httpUrl with the configured token, and close() is idempotent and frees the port', async () => {
    const config = loadConfig({ CHORUS_DATA_DIR: 'memory://', CHORUS_DEMO: 'off', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: 'edition-test-token-123' });
    const edition = await startStandardEdition(config, { logger: silent, metrics: createMetricsRegistry({ defaultMetrics: false }) });
    assert.match(edition.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(edition.adminToken, 'edition-test-token-123');
    assert.equal(edition.adminTokenEphemeral, false);

    const health = await fetch(`${edition.httpUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { version: unknown }).version, chorusVersion());
    const guarded = await fetch(`${edition.httpUrl}/anything`, { headers: { authorization: 'Bearer edition-test-token-123' } });
    assert.equal(guarded.status, 404);

    await Promise.all([edition.close(), edition.close()]);
    await edition.close();
    await assert.rejects(fetch(`${edition.httpUrl}/health`));
  });

  it('generates a fresh ephemeral token when none is configured', async () => {
    const config = loadConfig({ CHORUS_DATA_DIR: 'memory://', CHORUS_DEMO: 'off', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0' });
    const a = await startStandardEdition(config, { logger: silent, metrics: createMetricsRegistry({ defaultMetrics: false }) });
    const b = await startStandardEdition(config, { logger: silent, metrics: createMetricsRegistry({ defaultMetrics: false }) });
    try {
      assert.equal(a.adminTokenEphemeral, true);
      assert.ok(a.adminToken.length >= 32);
      assert.notEqual(a.adminToken, b.adminToken);
      const wrong = await fetch(`${a.httpUrl}/anything`, { headers: { authorization: `Bearer ${b.adminToken}` } });
      assert.equal(wrong.status, 401);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rejects with the listen error when the port is taken', async () => {
    const first = await startStandardEdition(loadConfig({ CHORUS_DATA_DIR: 'memory://', CHORUS_DEMO: 'off', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0' }), { logger: silent });
    try {
      const port = new URL(first.httpUrl).port;
      await assert.rejects(
        startStandardEdition(loadConfig({ CHORUS_DATA_DIR: 'memory://', CHORUS_DEMO: 'off', HTTP_PORT: port, HTTP_HOST: '127.0.0.1', SIP_PORT: '0' }), { logger: silent }),
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});

describe('ShutdownStack', () => {
  it('closes in reverse order, closes everything despite a failure, rethrows the first, and runs once', async () => {
    const closed: string[] = [];
    const stack = new ShutdownStack(silent);
    stack.push('event store', { close: async () => void closed.push('event store') });
    stack.push('projections', {
      close: async () => {
        closed.push('projections');
        throw new Error('projection checkpoint write failed');
      },
    });
    stack.push('http', { close: async () => void closed.push('http') });

    await assert.rejects(stack.close(), /projection checkpoint write failed/);
    await assert.rejects(stack.close(), /projection checkpoint write failed/);
    assert.deepEqual(closed, ['http', 'projections', 'event store']);
    assert.throws(() => stack.push('late', { close: async () => undefined }), /shutdown has begun/);
  });
});
