import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { ImEvent } from '../../../src/events/domain/im-events.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { formatUri } from '../../../src/realtime/sip/uri.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { DOMAIN, finalResponse, registerPeer, sendWithAuth, startFrontEnd, type FrontEndHarness } from './front-end-harness.ts';
import { request, respond, settle, vias, type Peer } from './proxy-peers.ts';

const ALICE = `sip:alice@${DOMAIN}`;
const BOB = `sip:bob@${DOMAIN}`;
const CAROL = `sip:carol@${DOMAIN}`;

type ImData<T extends ImEvent['type']> = Extract<ImEvent, { type: T }>['data'];

function data<T extends ImEvent['type']>(events: readonly RecordedEvent<DomainEvent>[], type: T): ImData<T>[] {
  const out: ImData<T>[] = [];
  for (const e of events) if (e.type === type) out.push(e.data as ImData<T>);
  return out;
}

/**
 * SIP MESSAGE (RFC 3428) through the assembled front-end, between scripted
 * peers on real UDP and TCP sockets: bob registers two devices through the
 * real registrar, alice authenticates with digest (407) and writes to him.
 */
describe('IM over the SIP front-end (real UDP/TCP sockets)', () => {
  let h: FrontEndHarness;
  let alice: Peer;
  let bobDesk: Peer;
  let bobLaptop: Peer;

  before(async () => {
    h = await startFrontEnd();
    for (const user of ['alice', 'bob', 'carol']) await h.provision(user);
    alice = await h.udp();
    bobDesk = await h.udp();
    bobLaptop = await h.tcp();
    await registerPeer(h, bobDesk, 'bob');
    await registerPeer(h, bobLaptop, 'bob');
    await registerPeer(h, alice, 'alice');
  });

  after(async () => {
    await h.close();
  });

  /** Answers every MESSAGE `peer` receives with `status`. */
  function autoAnswer(peer: Peer, status: number): void {
    void (async () => {
      for (;;) {
        const m = await peer.inbox.request('MESSAGE').catch(() => undefined);
        if (!m) return;
        peer.send(respond(peer, m, status, `tag-${peer.port}`));
      }
    })();
  }

  it('forks to both of bob\'s devices, answers 200 upstream and records session, message and delivery', async () => {
    const before = (await h.imEvents()).length;
    const sending = sendWithAuth(alice, 'alice', {
      method: 'MESSAGE',
      uri: BOB,
      headers: [['Content-Type', 'text/plain;charset=UTF-8']],
      body: 'Hello, Bob — ça va?',
    });
    const [atDesk, atLaptop] = await Promise.all([bobDesk.inbox.request('MESSAGE'), bobLaptop.inbox.request('MESSAGE')]);
    for (const [m, peer] of [[atDesk, bobDesk], [atLaptop, bobLaptop]] as const) {
      assert.equal(m.body.toString('utf8'), 'Hello, Bob — ça va?');
      assert.equal(m.headers.get('Content-Type'), 'text/plain;charset=UTF-8');
      assert.match(formatUri(m.uri), new RegExp(`^sip:peer@127\\.0\\.0\\.1:${peer.port}`), 'each branch goes to a registered Contact');
      assert.equal(vias(m).length, 2, 'proxied: our Via over alice\'s');
    }
    bobLaptop.send(respond(bobLaptop, atLaptop, 200, 'laptop'));
    bobDesk.send(respond(bobDesk, atDesk, 480, 'desk'));
    const { challenge, final } = await sending;
    assert.equal(challenge.status, 407);
    assert.equal(final.status, 200);

    await waitUntil('the delivery is recorded', async () => (await h.imEvents()).length === before + 3);
    const events = (await h.imEvents()).slice(before);
    assert.deepEqual(events.map((e) => e.type), ['im.session_started.v1', 'im.message_sent.v1', 'im.message_delivered.v1']);
    const [started] = data(events, 'im.session_started.v1');
    const [sent] = data(events, 'im.message_sent.v1');
    const [delivered] = data(events, 'im.message_delivered.v1');
    assert.deepEqual(started?.participants, [ALICE, BOB]);
    assert.equal(started?.initiator, ALICE);
    assert.equal(started?.sessionId, final.headers.get('Call-ID'), 'a page-mode session is named after the Call-ID that opened it');
    assert.deepEqual(
      { sender: sent?.sender, recipients: sent?.recipients, contentType: sent?.contentType, body: sent?.body, archived: sent?.archived },
      { sender: ALICE, recipients: [BOB], contentType: 'text/plain;charset=UTF-8', body: 'Hello, Bob — ça va?', archived: true },
    );
    assert.deepEqual(
      { messageId: delivered?.messageId, recipient: delivered?.recipient, sipStatus: delivered?.sipStatus },
      { messageId: sent?.messageId, recipient: BOB, sipStatus: 200 },
    );
    assert.equal(events[1]?.metadata.actor, ALICE);
  });

  it('keeps the pair in one session: a reply from bob is a second message of it', async () => {
    const before = (await h.imEvents()).length;
    const lastSession = data(await h.imEvents(), 'im.session_started.v1').at(-1)?.sessionId;
    autoAnswer(alice, 200);
    const { final } = await sendWithAuth(bobDesk, 'bob', {
      method: 'MESSAGE',
      uri: ALICE,
      headers: [['Content-Type', 'text/plain']],
      body: 'fine, thanks',
    });
    assert.equal(final.status, 200);
    await waitUntil('the reply and its delivery are recorded', async () => (await h.imEvents()).length === before + 2);
    const events = (await h.imEvents()).slice(before);
    assert.deepEqual(events.map((e) => e.type), ['im.message_sent.v1', 'im.message_delivered.v1']);
    assert.equal(events[0]?.streamId, `im-${lastSession}`);
    const [sent] = data(events, 'im.message_sent.v1');
    assert.deepEqual([sent?.sender, sent?.recipients], [BOB, [ALICE]]);
  });

  it('carol has no registered contact: 480, and the message is recorded as failed', async () => {
    const before = (await h.imEvents()).length;
    const { final } = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: CAROL, headers: [['Content-Type', 'text/plain']], body: 'are you there?' });
    assert.equal(final.status, 480);
    await waitUntil('the failure is recorded', async () => (await h.imEvents()).length === before + 3);
    const events = (await h.imEvents()).slice(before);
    assert.deepEqual(events.map((e) => e.type), ['im.session_started.v1', 'im.message_sent.v1', 'im.message_failed.v1']);
    const [failed] = data(events, 'im.message_failed.v1');
    assert.deepEqual([failed?.recipient, failed?.sipStatus, failed?.reason], [CAROL, 480, 'recipient has no registered contact']);
  });

  it('an unknown user gets 404 after authentication, and nothing is written', async () => {
    const head = await h.store.headPosition();
    const { challenge, final } = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: `sip:nobody@${DOMAIN}`, headers: [['Content-Type', 'text/plain']], body: 'hi' });
    assert.equal(challenge.status, 407);
    assert.equal(final.status, 404);
    assert.equal(await h.store.headPosition(), head);
  });

  it('no credentials: 407 with a challenge per algorithm, nothing forwarded, nothing written', async () => {
    const head = await h.store.headPosition();
    const deskBefore = bobDesk.inbox.requests('MESSAGE').length;
    const msg = request(alice, { method: 'MESSAGE', uri: BOB, from: `<${ALICE}>;tag=x1`, headers: [['Content-Type', 'text/plain']], body: 'sneaky' });
    alice.send(msg);
    const answer = await finalResponse(alice, msg.headers.get('Call-ID') ?? '', 1);
    assert.equal(answer.status, 407);
    const challenges = answer.headers.getAll('Proxy-Authenticate');
    assert.deepEqual(
      challenges.map((c) => /algorithm=([\w-]+)/.exec(c)?.[1]),
      ['SHA-256', 'MD5'],
    );
    assert.ok(challenges.every((c) => c.includes(`realm="${DOMAIN}"`)));
    await settle();
    assert.equal(bobDesk.inbox.requests('MESSAGE').length, deskBefore);
    assert.equal(await h.store.headPosition(), head);
  });

  it('a wrong password is challenged again and writes nothing', async () => {
    const head = await h.store.headPosition();
    const { final } = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: BOB, headers: [['Content-Type', 'text/plain']], body: 'x' }, 'not-the-password');
    assert.equal(final.status, 407);
    assert.equal(await h.store.headPosition(), head);
  });

  it('refuses bodies it cannot keep: 415 for an image with an Accept, 413 above the size limit, 400 without Content-Type', async () => {
    const head = await h.store.headPosition();
    const image = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: BOB, headers: [['Content-Type', 'image/png']], body: 'PNG...' });
    assert.equal(image.final.status, 415);
    assert.match(image.final.headers.get('Accept') ?? '', /text\/plain.*message\/cpim/);
    // Over UDP a 16 KiB datagram still fits the engine's 64 KiB limit: the 413 is the IM handler's.
    const big = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: BOB, headers: [['Content-Type', 'text/plain']], body: 'x'.repeat(16_385) });
    assert.equal(big.final.status, 413);
    const untyped = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: BOB, body: 'no type' });
    assert.equal(untyped.final.status, 400);
    assert.equal(await h.store.headPosition(), head);
  });

  it('a message/cpim body is accepted and kept as sent', async () => {
    const before = (await h.imEvents()).length;
    autoAnswer(bobDesk, 200);
    autoAnswer(bobLaptop, 200);
    const cpim = 'From: <im:alice@example.test>\r\nTo: <im:bob@example.test>\r\n\r\nContent-Type: text/plain\r\n\r\nhi via CPIM';
    const { final } = await sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: BOB, headers: [['Content-Type', 'message/cpim']], body: cpim });
    assert.equal(final.status, 200);
    await waitUntil('the message is recorded', async () => data((await h.imEvents()).slice(before), 'im.message_delivered.v1').length === 1);
    const [sent] = data((await h.imEvents()).slice(before), 'im.message_sent.v1');
    assert.deepEqual([sent?.contentType, sent?.body], ['message/cpim', cpim]);
  });
});
