import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { describeSippResult, freePort, SippProcess, type SippOptions, type SippResult } from '../../support/sipp/index.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { DOMAIN, PASSWORD, startPresenceHarness, type PresenceHarness } from './presence-harness.ts';

function sippMissing(): string | undefined {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    // `sipp -v` exits non-zero after printing its version; only a missing binary is a problem.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'sipp is not installed (apt-get install sip-tester)' : undefined;
  }
}

function assertAllSucceeded(result: SippResult, calls: number): void {
  const why = describeSippResult(result);
  assert.equal(result.exitCode, 0, why);
  assert.equal(result.counters?.successful, calls, why);
  assert.equal(result.counters?.failed, 0, why);
}

describe('SIPp publish.xml and subscribe.xml against the presence server', { skip: sippMissing() ?? false }, () => {
  let h: PresenceHarness;
  const alice = `sip:alice@${DOMAIN}`;
  const types = async (aor: string, prefix: string) => (await h.events(aor)).map((e: DomainEvent) => e.type).filter((t) => t.startsWith(prefix));
  const sipp = (options: SippOptions): Promise<SippResult> =>
    SippProcess.run({ remote: { host: '127.0.0.1', port: options.transport === 'tcp' ? h.tcpPort : h.port }, logger: silentLogger, timeoutMs: 30_000, ...options });

  before(async () => {
    // SIPp 3.6 computes only MD5 digests, and answers the first challenge it is given.
    h = await startPresenceHarness({ algorithms: ['MD5'] });
    await h.provision(alice);
    await h.provision(`sip:bob@${DOMAIN}`);
  });
  after(async () => h.close());

  for (const transport of ['udp', 'tcp'] as const) {
    it(`publish.xml over ${transport}: challenge, PUBLISH 200 + SIP-ETag, refresh with SIP-If-Match, removal`, async () => {
      const localPort = await freePort();
      // SIPp's socket is the registered endpoint: the PUBLISH is credited to it by source address.
      await h.register(alice, transport, localPort);
      const before = (await types(alice, 'presence.')).length;
      const result = await sipp({ scenario: 'publish', transport, localPort, injection: [{ user: 'alice', domain: DOMAIN, password: PASSWORD }], keys: { expires: '600', note: 'sipp' } });
      assertAllSucceeded(result, 1);
      assert.deepEqual((await types(alice, 'presence.')).slice(before), ['presence.published.v1', 'presence.published.v1', 'presence.withdrawn.v1']);
    });
  }

  for (const transport of ['udp', 'tcp'] as const) {
    it(`subscribe.xml over ${transport}: challenge, 200, NOTIFY with PIDF over the same flow, unsubscribe in the dialog, terminated NOTIFY`, async () => {
      const before = (await types(alice, 'presence.watcher_')).length;
      const result = await sipp({ scenario: 'subscribe', transport, injection: [{ user: 'bob', domain: DOMAIN, password: PASSWORD, target: 'alice' }], pauseMs: 200 });
      assertAllSucceeded(result, 1);
      assert.deepEqual((await types(alice, 'presence.watcher_')).slice(before), ['presence.watcher_subscribed.v1', 'presence.watcher_unsubscribed.v1']);
      assert.equal(h.server.subscriptions, 0);
    });
  }
});
