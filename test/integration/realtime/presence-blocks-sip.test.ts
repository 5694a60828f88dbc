import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { newCallId, newTag } from '../../../src/realtime/sip/ids.ts';
import type { HeaderInit, SipRequest, SipResponse } from '../../../src/realtime/sip/message.ts';
import { answerChallenge, readChallenge } from '../../support/sip-digest-client.ts';
import { PASSWORD, startPresenceHarness, type PresenceHarness } from './presence-harness.ts';
import { request, respond, settle, toTagOf, UdpPeer } from './proxy-peers.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';

type Subscribe = { readonly user: string; readonly callId: string; readonly fromTag: string; readonly cseq: number; readonly toTag?: string };

/** SUBSCRIBE to Alice's presence, answering the 407; the final response of the authorised request. */
async function subscribe(peer: UdpPeer, o: Subscribe): Promise<SipResponse> {
  const build = (cseq: number, extra: readonly HeaderInit[]) =>
    request(peer, {
      method: 'SUBSCRIBE',
      uri: ALICE,
      from: `<${o.user}>;tag=${o.fromTag}`,
      to: o.toTag === undefined ? `<${ALICE}>` : `<${ALICE}>;tag=${o.toTag}`,
      callId: o.callId,
      cseq,
      headers: [['Event', 'presence'], ['Expires', '600'], ...extra],
    });
  peer.send(build(o.cseq, []));
  const challenge = await finalResponse(peer, o.callId, o.cseq);
  if (challenge.status !== 407) return challenge;
  const header = challenge.headers.getAll('Proxy-Authenticate')[0] ?? assert.fail('407 without Proxy-Authenticate');
  const username = o.user.slice(4, o.user.indexOf('@'));
  const credentials = answerChallenge({ challenge: readChallenge(header), method: 'SUBSCRIBE', uri: ALICE, username, password: PASSWORD });
  peer.send(build(o.cseq + 1, [['Proxy-Authorization', credentials]]));
  return finalResponse(peer, o.callId, o.cseq + 1);
}

async function finalResponse(peer: UdpPeer, callId: string, cseq: number): Promise<SipResponse> {
  const m = await peer.inbox.waitFor(
    (x) => x.kind === 'response' && x.status >= 200 && x.headers.get('Call-ID') === callId && (x.headers.get('CSeq') ?? '').startsWith(`${cseq} `),
    `final response to CSeq ${cseq} of ${callId}`,
  );
  assert.equal(m.kind, 'response');
  return m;
}

/** The next NOTIFY of a dialog, answered 200; its Subscription-State. */
async function nextNotify(peer: UdpPeer, callId: string): Promise<string> {
  const notify: SipRequest = await peer.inbox.request('NOTIFY', (r) => r.headers.get('Call-ID') === callId);
  peer.send(respond(peer, notify, 200, newTag()));
  return notify.headers.get('Subscription-State') ?? '';
}

describe('presence block list at the SIP level (embedded engine, PGlite log, live presence view)', () => {
  let h: PresenceHarness;
  const peers: UdpPeer[] = [];

  async function peer(): Promise<UdpPeer> {
    const p = await new UdpPeer(h.port).open();
    peers.push(p);
    return p;
  }

  const watcherEvents = async () =>
    (await h.events(ALICE)).flatMap((e: DomainEvent) =>
      e.type === 'presence.watcher_subscribed.v1' || e.type === 'presence.watcher_unsubscribed.v1'
        ? [`${e.type === 'presence.watcher_subscribed.v1' ? 'subscribed' : `unsubscribed:${e.data.reason}`} ${e.data.watcherUri}`]
        : [],
    );

  before(async () => {
    h = await startPresenceHarness({ minExpires: 1, expiryGraceMs: 50 });
    for (const aor of [ALICE, BOB, CAROL]) await h.provision(aor);
  });

  after(async () => {
    await h.close();
    for (const p of peers) await p.close();
  });

  it('blocking a watcher ends its subscription (NOTIFY terminated;reason=rejected), refuses its next SUBSCRIBE with 403, and spares the others', async () => {
    const bob = await peer();
    const carol = await peer();
    const bobDialog = { user: BOB, callId: newCallId('127.0.0.1'), fromTag: newTag() };
    const carolDialog = { user: CAROL, callId: newCallId('127.0.0.1'), fromTag: newTag() };
    const bobOk = await subscribe(bob, { ...bobDialog, cseq: 1 });
    assert.equal(bobOk.status, 200);
    assert.match(await nextNotify(bob, bobDialog.callId), /^active;/);
    assert.equal((await subscribe(carol, { ...carolDialog, cseq: 1 })).status, 200);
    assert.match(await nextNotify(carol, carolDialog.callId), /^active;/);

    // The block is a command (HTTP in production); the server learns of it from the presence view.
    await h.run(ALICE, { type: 'BlockWatcher', data: { watcher: BOB } });
    assert.equal(await nextNotify(bob, bobDialog.callId), 'terminated;reason=rejected');
    assert.deepEqual(await watcherEvents(), [`subscribed ${BOB}`, `subscribed ${CAROL}`, `unsubscribed:rejected ${BOB}`]);
    await settle(200);
    assert.equal(carol.inbox.requests('NOTIFY').length, 1, 'Carol, not blocked, is not notified of the block');
    assert.equal(h.server.subscriptions, 1);

    // The old dialog is gone (481); a new SUBSCRIBE is refused and writes nothing.
    const refresh = await subscribe(bob, { ...bobDialog, toTag: toTagOf(bobOk), cseq: 10 });
    assert.equal(refresh.status, 481);
    const again = await subscribe(bob, { user: BOB, callId: newCallId('127.0.0.1'), fromTag: newTag(), cseq: 1 });
    assert.equal(again.status, 403);
    assert.equal((await watcherEvents()).length, 3);

    // A whole domain: Carol's example.test subscription ends too.
    await h.run(ALICE, { type: 'BlockWatcher', data: { watcher: 'example.test' } });
    assert.equal(await nextNotify(carol, carolDialog.callId), 'terminated;reason=rejected');
    assert.equal(h.server.subscriptions, 0);

    // Unblocked, Bob may watch again.
    await h.run(ALICE, { type: 'SetPresenceBlocks', data: { blocked: [] } });
    await h.presence.waitForPosition(await h.store.headPosition(), 5000);
    const back = await subscribe(bob, { user: BOB, callId: newCallId('127.0.0.1'), fromTag: newTag(), cseq: 1 });
    assert.equal(back.status, 200);
    assert.deepEqual((await watcherEvents()).slice(3), [`unsubscribed:rejected ${CAROL}`, `subscribed ${BOB}`]);
  });

  it('the decider refuses a blocked watcher even when the view has not caught up (403, nothing written)', async () => {
    // A block the view will see only after the SUBSCRIBE is decided: the log has the last word.
    await h.run(ALICE, { type: 'BlockWatcher', data: { watcher: CAROL } });
    const carol = await peer();
    const before = (await h.events(ALICE)).length;
    const refused = await subscribe(carol, { user: CAROL, callId: newCallId('127.0.0.1'), fromTag: newTag(), cseq: 1 });
    assert.equal(refused.status, 403);
    assert.equal((await h.events(ALICE)).length, before);
  });
});
