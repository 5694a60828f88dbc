import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProjectionsStatusSchema } from '../../../src/api/contract/projections-contract.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { ConfigError, loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition, type StandardEdition } from '../../../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { editionBackends, type EditionPlace } from './edition-backends.ts';

const TOKEN = 'demo-domain-test-admin-token-01';

describe('CHORUS_DEMO', () => {
  it('defaults to auto and accepts only auto|off, naming the variable otherwise', () => {
    assert.equal(loadConfig({}).demo, 'auto');
    assert.equal(loadConfig({ CHORUS_DEMO: 'off' }).demo, 'off');
    assert.throws(() => loadConfig({ CHORUS_DEMO: 'yes' }), (e: unknown) => e instanceof ConfigError && /^CHORUS_DEMO: /.test(e.message));
  });
});

for (const backend of editionBackends) {
  describe(`demo domain (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let place: EditionPlace | undefined;
    const running: StandardEdition[] = [];
    after(async () => {
      await Promise.all(running.map((e) => e.close()));
      await place?.dispose();
    });

    async function start(): Promise<{ edition: StandardEdition; printed: () => string }> {
      if (!place) throw new Error('no place');
      const stdout = new PassThrough();
      let printed = '';
      stdout.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
      const edition = await startStandardEdition(
        loadConfig({ ...place.env, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '5099', CHORUS_ADMIN_TOKEN: TOKEN }),
        { logger: silentLogger, metrics: createMetricsRegistry({ defaultMetrics: false }), stdout },
      );
      running.push(edition);
      return { edition, printed: () => printed };
    }

    it('is provisioned once on an empty log, printed with working passwords, and not again on restart', async () => {
      place = await backend.place();
      const first = await start();
      const accounts = first.edition.demoAccounts;
      assert.deepEqual(
        accounts.map((a) => [a.sipUri, a.lineUri]),
        [
          ['sip:alice@example.test', 'tel:+15550100001'],
          ['sip:bob@example.test', 'tel:+15550100002'],
          ['sip:carol@example.test', 'tel:+15550100003'],
        ],
      );
      assert.equal(new Set(accounts.map((a) => a.password)).size, 3, 'every user has its own random password');
      const banner = first.printed();
      for (const a of accounts) assert.match(banner, new RegExp(`${a.sipUri.replace(/\./g, '\\.')}\\s+${a.password}\\s+tel:`));
      assert.match(banner, /registrar\s+= 127\.0\.0\.1:5099/);
      assert.match(banner, /domain\/realm\s+= example\.test/);

      const store = first.edition.store;
      for (const a of accounts) {
        const user = a.sipUri.slice('sip:'.length, a.sipUri.indexOf('@'));
        const events = await store.readStream(`user-${a.sipUri.slice('sip:'.length)}`);
        assert.deepEqual(events.map((e) => e.type), ['directory.user_provisioned.v1', 'directory.credentials_set.v1']);
        const [provisioned, credentials] = events;
        assert.ok(provisioned?.type === 'directory.user_provisioned.v1' && credentials?.type === 'directory.credentials_set.v1');
        assert.equal(provisioned.data.enterpriseVoiceEnabled, true);
        assert.equal(provisioned.metadata.actor, 'system:demo');
        assert.deepEqual(
          { realm: credentials.data.realm, ha1Md5: credentials.data.ha1Md5, ha1Sha256: credentials.data.ha1Sha256 },
          { realm: 'example.test', ...computeHa1(user, 'example.test', a.password) },
          'the printed password is the one a digest challenge will check',
        );
      }
      const head = await store.headPosition();
      assert.equal(head, 6n);

      // Every registered domain projection runs and catches up with the demo's events.
      await first.edition.projections.waitForPosition(head, 60_000);
      const listed = await fetch(`${first.edition.httpUrl}/projections`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const status = ProjectionsStatusSchema.parse(await listed.json());
      assert.equal(status.headPosition, '6');
      assert.deepEqual(
        status.projections.filter((p) => domainProjections.some((d) => d.name === p.name)).map((p) => [p.name, p.lag]),
        domainProjections.map((d) => [d.name, 0]),
      );

      // The demo users are ordinary users: the API acts on them at once.
      const presence = await fetch(`${first.edition.httpUrl}/users/${encodeURIComponent('sip:alice@example.test')}/presence`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ availability: 'available' }),
      });
      assert.equal(presence.status, 200);

      await first.edition.close();
      const second = await start();
      assert.deepEqual(second.edition.demoAccounts, []);
      assert.equal(second.printed(), '', 'no demo block on a log that holds events');
      assert.equal(await second.edition.store.headPosition(), 7n, 'nothing written by the restart');
      await second.edition.close();
    });
  });
}
