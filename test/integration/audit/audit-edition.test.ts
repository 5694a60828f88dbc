import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { AuditVerifyResultSchema } from '../../../src/api/contract/audit-contract.ts';
import { loadAuditConfig } from '../../../src/audit/audit-config.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition } from '../../../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { waitUntil } from '../../support/wait-until.ts';

const TOKEN = 'audit-edition-test-token-0123';

describe('the Standard Edition keeps the audit chain', () => {
  it('chains what the demo domain appended, signs it (ephemeral key), and GET /audit/verify says ok', async () => {
    const config = loadConfig({
      CHORUS_DATA_DIR: 'memory://',
      CHORUS_DEMO: 'auto',
      HTTP_PORT: '58103',
      HTTP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      CHORUS_ADMIN_TOKEN: TOKEN,
    });
    const edition = await startStandardEdition(config, {
      logger: pino({ level: 'silent' }),
      metrics: createMetricsRegistry({ defaultMetrics: false }),
      stdout: { write: () => true } as unknown as NodeJS.WritableStream,
      audit: loadAuditConfig({ CHORUS_AUDIT_CHECKPOINT_EVERY: '5' }),
    });
    try {
      const head = await edition.store.headPosition();
      assert.ok(head > 0n, 'the demo domain wrote events');
      const verify = async () =>
        AuditVerifyResultSchema.parse(
          await (await fetch(`${edition.httpUrl}/audit/verify`, { headers: { authorization: `Bearer ${TOKEN}` } })).json(),
        );
      await waitUntil('the chain keeper reached the head', async () => (await verify()).chainHead === String(head), 15_000);
      const verdict = await verify();
      assert.equal(verdict.ok, true);
      assert.equal(verdict.eventsChecked, Number(head));
      assert.ok(verdict.checkpointsChecked >= Math.floor(Number(head) / 5));
      assert.equal(verdict.trust, 'log');
    } finally {
      await edition.close();
    }
  });
});
