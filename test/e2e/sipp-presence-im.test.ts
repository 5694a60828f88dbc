/**
 * SIPp presence and instant messaging against the real Standard Edition: PUBLISH (publish.xml),
 * a watcher's SUBSCRIBE that gets a NOTIFY when the watched user publishes (e2e scenarios), and
 * a pager-mode MESSAGE to a registered SIPp UAS; each asserted in SIPp's counters and in the log.
 *
 * SIP_DIGEST_ALGORITHMS=MD5: SIPp 3.6 computes only MD5 digests and answers only the FIRST
 * challenge, so the default SHA-256-first challenge would be answered wrongly and refused.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort, SippProcess } from '../support/sipp/index.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { assertAllSucceeded, e2eBackends, E2eEdition, sippUnavailableReason } from './e2e-harness.ts';

const scenario = (name: string) => ({ file: fileURLToPath(new URL(`./scenarios/${name}.xml`, import.meta.url)) });

for (const backend of e2eBackends()) {
  describe(`SIPp presence and IM against the Standard Edition (${backend})`, { skip: sippUnavailableReason() ?? false }, () => {
    let e: E2eEdition;

    before(async () => {
      e = await E2eEdition.start({ backend, digestAlgorithms: 'MD5' });
      await e.provision(['alice', 'bob', 'carol', 'dave']);
    });
    after(async () => e?.close());

    it('publish.xml: PUBLISH after the challenge, refresh with SIP-If-Match, removal → published, published, withdrawn', async () => {
      const localPort = await freePort();
      // The PUBLISH is credited to the registered endpoint by its source address: register that socket first.
      await e.registerContact('alice', localPort);
      const result = await e.sipp({ scenario: 'publish', localPort, injection: e.rows(['alice']), keys: { expires: '600', note: 'e2e-publish' } });
      assertAllSucceeded(result, 1);
      const types = (await e.events()).filter((x) => x.type.startsWith('presence.') && (x.data as { sipUri?: string }).sipUri === e.uri('alice')).map((x) => x.type);
      assert.deepEqual(types, ['presence.published.v1', 'presence.published.v1', 'presence.withdrawn.v1']);
    });

    it('bob watches carol: initial NOTIFY, then a NOTIFY carrying what carol publishes, then the unsubscribe', async () => {
      const watcher = await SippProcess.start({
        scenario: scenario('subscribe-until-change'),
        remote: { host: '127.0.0.1', port: e.sipPort() },
        injection: e.rows(['bob'], 'carol'),
        logger: silentLogger,
        timeoutMs: 30_000,
        recvTimeoutMs: 15_000,
      });
      try {
        await e.waitForEvents('presence.watcher_subscribed.v1', 1);
        const carolPort = await freePort();
        await e.registerContact('carol', carolPort);
        const publisher = await e.sipp({ scenario: scenario('publish-once'), localPort: carolPort, injection: e.rows(['carol']), keys: { expires: '600', note: 'e2e-changed' } });
        assertAllSucceeded(publisher, 1);
        assertAllSucceeded(await watcher.done, 1);
      } finally {
        await watcher.close();
      }
      const carol = (await e.events()).filter((x) => x.type.startsWith('presence.') && JSON.stringify(x.data).includes(e.uri('carol'))).map((x) => x.type);
      assert.deepEqual(carol, ['presence.watcher_subscribed.v1', 'presence.published.v1', 'presence.watcher_unsubscribed.v1']);
    });

    it('MESSAGE alice → dave (a registered SIPp UAS): 200 to alice, dave gets the text, im.message_sent and im.message_delivered', async () => {
      const davePort = await freePort();
      await e.registerContact('dave', davePort);
      const recipient = await SippProcess.start({ scenario: 'uas-message', localPort: davePort, calls: 2, logger: silentLogger, traceMessages: true });
      try {
        const sender = await e.sipp({ scenario: 'message', injection: e.rows(['alice'], 'dave'), calls: 2, keys: { text: 'hello-from-sipp' } });
        assertAllSucceeded(sender, 2);
        const received = await recipient.done;
        assertAllSucceeded(received, 2);
        assert.equal(received.messages.match(/hello-from-sipp/g)?.length, 2, 'each MESSAGE body arrives');
      } finally {
        await recipient.close();
      }
      const sent = await e.waitForEvents('im.message_sent.v1', 2);
      assert.ok(sent.every((d) => d['sender'] === e.uri('alice') && JSON.stringify(d['recipients']) === JSON.stringify([e.uri('dave')]) && String(d['body']).trim() === 'hello-from-sipp'), JSON.stringify(sent));
      const delivered = await e.waitForEvents('im.message_delivered.v1', 2);
      assert.deepEqual(delivered.map((d) => [d['recipient'], d['sipStatus']]), [[e.uri('dave'), 200], [e.uri('dave'), 200]]);
      assert.deepEqual(new Set(delivered.map((d) => d['messageId'])), new Set(sent.map((d) => d['messageId'])));
    });
  });
}
