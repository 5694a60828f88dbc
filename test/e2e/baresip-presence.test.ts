/**
 * Presence between two real softphones (Debian baresip-core 1.0 with its own `contact` and
 * `presence` modules, /usr/lib/baresip/modules) through the real Standard Edition: each UA has the
 * other in its contacts with `;presence=p2p` — the flag baresip 1.0's presence module needs to
 * subscribe to a contact at all; the SUBSCRIBE still goes through the account's outbound proxy,
 * Chorus, which is the notifier. Asserted in baresip's own contact list (`contacts` command), in
 * the presence read model (GET /users/{uri}/presence) and in the presence.* events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BaresipUa } from '../support/baresip/index.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { waitUntil } from '../support/wait-until.ts';
import { baresipUnavailableReason, e2eBackends, E2eEdition, PASSWORD } from './e2e-harness.ts';

const PRESENCE_MODULES = ['contact.so', 'presence.so'];

/** `Online` / `Offline` / `Unknown` … as baresip's `contacts` command shows `name`'s status (colour codes stripped). */
async function statusOf(ua: BaresipUa, name: string): Promise<string | undefined> {
  // eslint-disable-next-line no-control-regex
  const listing = (await ua.command('contacts')).replace(/\u001b\[[0-9;]*m/g, '');
  return new RegExp(`^>?\\s*(\\S+)\\s+${name}\\s+<`, 'm').exec(listing)?.[1];
}

type PresenceView = { availability: string; source: string; watchers: number };

for (const backend of e2eBackends()) {
  describe(`baresip presence through the Standard Edition (${backend})`, { skip: baresipUnavailableReason() ?? false }, () => {
    let e: E2eEdition;
    const uas: BaresipUa[] = [];
    const account = (user: string) => ({ aor: `${user}@${e.domain}`, password: PASSWORD, outbound: `sip:127.0.0.1:${e.sipPort()}` });
    const startUa = async (watching: { name: string; user: string }): Promise<BaresipUa> => {
      const ua = await BaresipUa.start({
        logger: silentLogger,
        timeoutMs: 20_000,
        appModules: PRESENCE_MODULES,
        contacts: [`"${watching.name}" <${e.uri(watching.user)}>;presence=p2p`],
      });
      uas.push(ua);
      return ua;
    };
    const presence = async (user: string) => (await e.api('GET', `/users/${encodeURIComponent(e.uri(user))}/presence`)) as PresenceView;

    before(async () => {
      e = await E2eEdition.start({ backend, digestAlgorithms: 'MD5' });
      await e.provision(['alice', 'bob']);
    });
    after(async () => {
      await Promise.all(uas.map((ua) => ua.close()));
      await e?.close();
    });

    it('two baresip UAs subscribe to each other through Chorus and each sees the other go online, then offline', async () => {
      const alice = await startUa({ name: 'Bob', user: 'bob' });
      assert.equal((await alice.register(account('alice'))).accountaor, e.uri('alice'));
      // alice watches bob before bob has any device: Chorus's first NOTIFY says closed.
      const [aliceWatchesBob] = await e.waitForEvents('presence.watcher_subscribed.v1', 1, (d) => d['sipUri'] === e.uri('bob'));
      assert.equal(aliceWatchesBob?.['watcherUri'], e.uri('alice'));
      await waitUntil('alice sees bob offline', async () => (await statusOf(alice, 'Bob')) === 'Offline', 20_000);

      const bob = await startUa({ name: 'Alice', user: 'alice' });
      assert.equal((await bob.register(account('bob'))).accountaor, e.uri('bob'));
      const [bobWatchesAlice] = await e.waitForEvents('presence.watcher_subscribed.v1', 1, (d) => d['sipUri'] === e.uri('alice'));
      assert.equal(bobWatchesAlice?.['watcherUri'], e.uri('bob'));

      // bob's registration makes him available; Chorus NOTIFYs alice, and bob learns alice's state.
      await waitUntil('alice sees bob online', async () => (await statusOf(alice, 'Bob')) === 'Online', 20_000);
      await waitUntil('bob sees alice online', async () => (await statusOf(bob, 'Alice')) === 'Online', 20_000);
      await e.settled();
      for (const user of ['alice', 'bob']) {
        const view = await presence(user);
        assert.equal(view.availability, 'available', `${user} in the presence read model`);
        assert.equal(view.watchers, 1, `${user} has the other as watcher`);
      }

      // bob quits (baresip unregisters on quit): alice is told he is gone.
      await bob.close();
      await waitUntil('alice sees bob offline again', async () => (await statusOf(alice, 'Bob')) === 'Offline', 20_000);
      await e.settled();
      assert.notEqual((await presence('bob')).availability, 'available');
    });
  });
}
