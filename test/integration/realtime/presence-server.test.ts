import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { buildPidf, parsePidf, type PidfDocument } from '../../../src/realtime/presence/pidf.ts';
import type { PresenceServer } from '../../../src/realtime/presence/presence-server.ts';
import { newCallId, newTag } from '../../../src/realtime/sip/ids.ts';
import type { HeaderInit, SipRequest, SipResponse } from '../../../src/realtime/sip/message.ts';
import { answerChallenge, readChallenge } from '../../support/sip-digest-client.ts';
import { DOMAIN, PASSWORD, startPresenceHarness, type PresenceHarness } from './presence-harness.ts';
import { cseqMethod, request, respond, settle, toTagOf, UdpPeer } from './proxy-peers.ts';

const PIDF = 'application/pidf+xml';

type RequestOptions = {
  readonly method: 'PUBLISH' | 'SUBSCRIBE';
  readonly user: string;
  readonly target: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly cseq: number;
  readonly headers?: readonly HeaderInit[];
  readonly body?: string;
};

/** Sends a request, answers the 407 with credentials, and returns the final response of the authorised one. */
async function authorised(peer: UdpPeer, o: RequestOptions): Promise<SipResponse> {
  const fromTag = o.fromTag ?? newTag();
  const callId = o.callId ?? newCallId('127.0.0.1');
  const build = (cseq: number, extra: readonly HeaderInit[]) =>
    request(peer, {
      method: o.method,
      uri: o.target,
      from: `<sip:${o.user}>;tag=${fromTag}`,
      to: o.toTag === undefined ? `<${o.target}>` : `<${o.target}>;tag=${o.toTag}`,
      callId,
      cseq,
      headers: [...(o.headers ?? []), ...extra],
      ...(o.body !== undefined ? { body: o.body } : {}),
    });
  peer.send(build(o.cseq, []));
  const challenge = await finalResponse(peer, callId, o.cseq);
  if (challenge.status !== 407) return challenge;
  const header = challenge.headers.getAll('Proxy-Authenticate')[0] ?? assert.fail('407 without Proxy-Authenticate');
  const username = o.user.slice(0, o.user.indexOf('@'));
  const credentials = answerChallenge({ challenge: readChallenge(header), method: o.method, uri: o.target, username, password: PASSWORD });
  peer.send(build(o.cseq + 1, [['Proxy-Authorization', credentials]]));
  return finalResponse(peer, callId, o.cseq + 1);
}

async function finalResponse(peer: UdpPeer, callId: string, cseq: number): Promise<SipResponse> {
  const m = await peer.inbox.waitFor(
    (x) => x.kind === 'response' && x.status >= 200 && x.headers.get('Call-ID') === callId && (x.headers.get('CSeq') ?? '').startsWith(`${cseq} `),
    `final response to CSeq ${cseq} of ${callId}`,
  );
  assert.equal(m.kind, 'response');
  return m;
}

/** The next NOTIFY of a dialog, answered (200 unless told otherwise). */
async function nextNotify(peer: UdpPeer, callId: string, status = 200): Promise<{ notify: SipRequest; state: string; doc: PidfDocument }> {
  const notify = await peer.inbox.request('NOTIFY', (r) => r.headers.get('Call-ID') === callId);
  peer.send(respond(peer, notify, status, newTag()));
  assert.equal(notify.headers.get('Event'), 'presence');
  assert.equal(notify.headers.get('Content-Type'), PIDF);
  const doc = parsePidf(notify.body);
  assert.ok(doc.ok, `NOTIFY body is PIDF: ${doc.ok ? '' : doc.error.message}`);
  return { notify, state: notify.headers.get('Subscription-State') ?? '', doc: doc.value };
}

function pidfBody(user: string, activity: 'busy' | 'away' | undefined, note: string): string {
  return buildPidf({ entity: `sip:${user}@${DOMAIN}`, basic: 'open', note, ...(activity ? { activity } : {}) });
}

describe('presence server over UDP (embedded engine, PGlite log, live presence view)', () => {
  let h: PresenceHarness;
  let server: PresenceServer;
  const peers: UdpPeer[] = [];
  const run = (aor: string, command: UserCommand) => h.run(aor, command);
  const events = (aor: string) => h.events(aor);
  const ofType = async <T extends DomainEvent['type']>(aor: string, type: T) =>
    (await events(aor)).filter((e): e is Extract<typeof e, { type: T }> => e.type === type);

  /** A UDP peer registered as an endpoint of `aor` (source address = the peer's socket). */
  async function endpoint(aor: string): Promise<{ peer: UdpPeer; endpointId: string }> {
    const peer = await watcherPeer();
    return { peer, endpointId: await h.register(aor, 'udp', peer.port) };
  }

  async function watcherPeer(): Promise<UdpPeer> {
    const peer = await new UdpPeer(h.port).open();
    peers.push(peer);
    return peer;
  }

  before(async () => {
    // Subscriptions as short as 1 s, so the expiry test need not wait a minute; PUBLISH keeps 60.
    h = await startPresenceHarness({ minExpires: 1, publishMinExpires: 60, expiryGraceMs: 50 });
    server = h.server;
    for (const aor of ['sip:alice@example.test', 'sip:bob@example.test', 'sip:carol@example.test', 'sip:dave@example.test', 'sip:mallory@other.test'])
      await h.provision(aor);
  });

  after(async () => {
    await h.close();
    for (const p of peers) await p.close();
  });

  it('PUBLISH: challenged without credentials, then 200 with SIP-ETag and Expires once presence.published.v1 is in the log', async () => {
    const aor = 'sip:alice@example.test';
    const { peer, endpointId } = await endpoint(aor);
    const body = pidfBody('alice', 'busy', 'in the lab');
    const callId = newCallId('127.0.0.1');
    peer.send(request(peer, { method: 'PUBLISH', uri: aor, from: `<${aor}>;tag=${newTag()}`, to: `<${aor}>`, callId, cseq: 1, headers: [['Event', 'presence'], ['Expires', '600'], ['Content-Type', PIDF]], body }));
    const challenge = await finalResponse(peer, callId, 1);
    assert.equal(challenge.status, 407);
    assert.equal(challenge.headers.getAll('Proxy-Authenticate').length, 2, 'one challenge per algorithm');
    assert.deepEqual(await ofType(aor, 'presence.published.v1'), [], 'a challenge writes nothing');

    const ok = await authorised(peer, { method: 'PUBLISH', user: 'alice@example.test', target: aor, cseq: 2, headers: [['Event', 'presence'], ['Expires', '600'], ['Content-Type', PIDF]], body });
    assert.equal(ok.status, 200);
    const etag = ok.headers.get('SIP-ETag') ?? assert.fail('200 without SIP-ETag');
    assert.equal(ok.headers.get('Expires'), '600');
    const published = await ofType(aor, 'presence.published.v1');
    assert.equal(published.length, 1);
    assert.equal(published[0]?.data.etag, etag);
    assert.equal(published[0]?.data.endpointId, endpointId, 'credited to the endpoint registered from the same socket');
    assert.equal(published[0]?.data.availability, 'busy');
    assert.equal(published[0]?.data.activity, 'busy');
    assert.equal(published[0]?.data.note, 'in the lab');

    // Refresh (no body), modify (body), unknown tag, removal.
    const refresh = await authorised(peer, { method: 'PUBLISH', user: 'alice@example.test', target: aor, cseq: 10, headers: [['Event', 'presence'], ['Expires', '900'], ['SIP-If-Match', etag]] });
    assert.equal(refresh.status, 200);
    const etag2 = refresh.headers.get('SIP-ETag') ?? assert.fail('refresh without SIP-ETag');
    assert.notEqual(etag2, etag, 'RFC 3903 §4.1: a refresh gets a new entity tag');
    assert.equal(refresh.headers.get('Expires'), '900');
    const afterRefresh = await ofType(aor, 'presence.published.v1');
    assert.equal(afterRefresh.length, 2);
    assert.equal(afterRefresh[1]?.data.availability, 'busy', 'a refresh keeps the state');
    assert.equal(afterRefresh[1]?.data.note, 'in the lab');

    const modify = await authorised(peer, { method: 'PUBLISH', user: 'alice@example.test', target: aor, cseq: 20, headers: [['Event', 'presence'], ['SIP-If-Match', etag2], ['Content-Type', PIDF]], body: pidfBody('alice', 'away', 'lunch') });
    assert.equal(modify.status, 200);
    assert.equal(modify.headers.get('Expires'), '3600', 'no Expires: the default');
    const etag3 = modify.headers.get('SIP-ETag') ?? assert.fail();
    const afterModify = await ofType(aor, 'presence.published.v1');
    assert.equal(afterModify.at(-1)?.data.availability, 'away');
    assert.equal(afterModify.at(-1)?.data.note, 'lunch');

    const stale = await authorised(peer, { method: 'PUBLISH', user: 'alice@example.test', target: aor, cseq: 30, headers: [['Event', 'presence'], ['SIP-If-Match', etag]] });
    assert.equal(stale.status, 412, 'a superseded entity tag');
    const unknown = await authorised(peer, { method: 'PUBLISH', user: 'alice@example.test', target: aor, cseq: 40, headers: [['Event', 'presence'], ['SIP-If-Match', 'no-such-tag']] });
    assert.equal(unknown.status, 412);
    assert.equal((await ofType(aor, 'presence.published.v1')).length, 3, '412 writes nothing');

    const remove = await authorised(peer, { method: 'PUBLISH', user: 'alice@example.test', target: aor, cseq: 50, headers: [['Event', 'presence'], ['Expires', '0'], ['SIP-If-Match', etag3]] });
    assert.equal(remove.status, 200);
    assert.equal(remove.headers.get('Expires'), '0');
    const withdrawn = await ofType(aor, 'presence.withdrawn.v1');
    assert.deepEqual(withdrawn.map((e) => [e.data.etag, e.data.reason]), [[etag3, 'unpublished']]);
  });

  it('PUBLISH refusals write nothing: bad PIDF 400, wrong type 415, no Event 489, too brief 423, foreign entity 400, unregistered source 403', async () => {
    const aor = 'sip:carol@example.test';
    const { peer } = await endpoint(aor);
    const stranger = await watcherPeer();
    const base = { method: 'PUBLISH' as const, user: 'carol@example.test', target: aor };
    const cases: Array<{ what: string; peer: UdpPeer; headers: HeaderInit[]; body?: string; status: number }> = [
      { what: 'malformed XML', peer, headers: [['Event', 'presence'], ['Content-Type', PIDF]], body: '<presence entity="sip:carol@example.test"><tuple>', status: 400 },
      { what: 'not PIDF', peer, headers: [['Event', 'presence'], ['Content-Type', PIDF]], body: '<?xml version="1.0"?><other/>', status: 400 },
      { what: 'entity of another user', peer, headers: [['Event', 'presence'], ['Content-Type', PIDF]], body: pidfBody('alice', 'busy', 'x'), status: 400 },
      { what: 'text/plain', peer, headers: [['Event', 'presence'], ['Content-Type', 'text/plain']], body: 'busy', status: 415 },
      { what: 'no Event', peer, headers: [['Content-Type', PIDF]], body: pidfBody('carol', 'busy', 'x'), status: 489 },
      { what: 'Event: dialog', peer, headers: [['Event', 'dialog'], ['Content-Type', PIDF]], body: pidfBody('carol', 'busy', 'x'), status: 489 },
      { what: 'Expires 10', peer, headers: [['Event', 'presence'], ['Expires', '10'], ['Content-Type', PIDF]], body: pidfBody('carol', 'busy', 'x'), status: 423 },
      { what: 'no body, no SIP-If-Match', peer, headers: [['Event', 'presence']], status: 400 },
      { what: 'a socket carol never registered from', peer: stranger, headers: [['Event', 'presence'], ['Content-Type', PIDF]], body: pidfBody('carol', 'busy', 'x'), status: 403 },
    ];
    let cseq = 1;
    for (const c of cases) {
      const response = await authorised(c.peer, { ...base, cseq, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}) });
      cseq += 2;
      assert.equal(response.status, c.status, c.what);
      if (c.status === 423) assert.equal(response.headers.get('Min-Expires'), '60');
      if (c.status === 415) assert.equal(response.headers.get('Accept'), PIDF);
      if (c.status === 489) assert.equal(response.headers.get('Allow-Events'), 'presence');
    }
    const written = (await events(aor)).filter((e) => e.type.startsWith('presence.'));
    assert.deepEqual(written, [], 'no refusal wrote anything');
  });

  it('SUBSCRIBE by a same-domain watcher: 200, NOTIFY with the state, a NOTIFY per change (PUBLISH, user-set state), terminated NOTIFY on unsubscribe', async () => {
    const presentity = 'sip:dave@example.test';
    const { peer: davePeer } = await endpoint(presentity);
    const watcher = await watcherPeer();
    const callId = newCallId('127.0.0.1');
    const fromTag = newTag();
    const subscribeHeaders: HeaderInit[] = [['Event', 'presence'], ['Accept', PIDF], ['Expires', '300']];
    const ok = await authorised(watcher, { method: 'SUBSCRIBE', user: 'bob@example.test', target: presentity, callId, fromTag, cseq: 1, headers: subscribeHeaders });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('Expires'), '300');
    assert.ok(ok.headers.get('Contact'), 'a 2xx to SUBSCRIBE carries Contact (RFC 6665 §4.2.1.1)');
    const localTag = toTagOf(ok) ?? assert.fail('200 without To tag');
    const subscribed = await ofType(presentity, 'presence.watcher_subscribed.v1');
    assert.equal(subscribed.length, 1);
    assert.equal(subscribed[0]?.data.watcherUri, 'sip:bob@example.test');

    const first = await nextNotify(watcher, callId);
    assert.match(first.state, /^active;expires=(300|299)$/);
    assert.match(first.notify.headers.get('From') ?? '', new RegExp(`tag=${localTag}`), 'NOTIFY From tag = our 200 To tag');
    assert.match(first.notify.headers.get('To') ?? '', new RegExp(`tag=${fromTag}`));
    assert.equal(first.notify.headers.get('CSeq'), '1 NOTIFY');
    assert.equal(first.doc.entity, presentity);
    assert.equal(first.doc.tuples[0]?.basic, 'open', 'registered: reachable');
    assert.equal(first.doc.availability, 3500, 'registered, nothing published: Available');

    // Dave publishes Busy: a new NOTIFY with it.
    const published = await authorised(davePeer, { method: 'PUBLISH', user: 'dave@example.test', target: presentity, cseq: 1, headers: [['Event', 'presence'], ['Content-Type', PIDF]], body: pidfBody('dave', 'busy', 'writing') });
    assert.equal(published.status, 200);
    const second = await nextNotify(watcher, callId);
    assert.equal(second.notify.headers.get('CSeq'), '2 NOTIFY');
    assert.deepEqual(second.doc.activities, ['busy']);
    assert.equal(second.doc.availability, 6500);
    assert.ok(second.doc.notes.includes('writing'));

    // A user-set state through the command path (not SIP): Do Not Disturb wins.
    await run(presentity, { type: 'SetUserState', data: { availability: 'do_not_disturb', note: 'focus time' } });
    const third = await nextNotify(watcher, callId);
    assert.equal(third.doc.availability, 9500);
    assert.ok(third.doc.notes.includes('focus time'));
    await run(presentity, { type: 'ClearUserState', data: {} });
    const fourth = await nextNotify(watcher, callId);
    assert.equal(fourth.doc.availability, 6500, 'back to the published Busy');

    // Refresh in the dialog: 200 and a NOTIFY at once.
    const refreshed = await authorised(watcher, { method: 'SUBSCRIBE', user: 'bob@example.test', target: presentity, callId, fromTag, toTag: localTag, cseq: 10, headers: [['Event', 'presence'], ['Expires', '600']] });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.headers.get('Expires'), '600');
    const fifth = await nextNotify(watcher, callId);
    assert.match(fifth.state, /^active;expires=(600|599)$/);
    assert.equal((await ofType(presentity, 'presence.watcher_subscribed.v1')).length, 2, 'the refresh is written');

    // Unsubscribe: 200, terminated NOTIFY, watcher_unsubscribed in the log.
    const gone = await authorised(watcher, { method: 'SUBSCRIBE', user: 'bob@example.test', target: presentity, callId, fromTag, toTag: localTag, cseq: 20, headers: [['Event', 'presence'], ['Expires', '0']] });
    assert.equal(gone.status, 200);
    const last = await nextNotify(watcher, callId);
    assert.equal(last.state, 'terminated;reason=timeout');
    const unsubscribed = await ofType(presentity, 'presence.watcher_unsubscribed.v1');
    assert.deepEqual(unsubscribed.map((e) => e.data.reason), ['unsubscribed']);

    // The dialog is over: a re-SUBSCRIBE in it is 481, and changes notify nobody.
    const stale = await authorised(watcher, { method: 'SUBSCRIBE', user: 'bob@example.test', target: presentity, callId, fromTag, toTag: localTag, cseq: 30, headers: [['Event', 'presence'], ['Expires', '600']] });
    assert.equal(stale.status, 481);
    await run(presentity, { type: 'SetUserState', data: { availability: 'away' } });
    await settle(300);
    assert.equal(watcher.inbox.requests('NOTIFY').length, 6, 'no NOTIFY after the subscription ended');
    await run(presentity, { type: 'ClearUserState', data: {} });
  });

  it('SUBSCRIBE refusals: foreign-domain watcher 403, blocked watcher 403, unknown presentity 404, wrong Event 489, stray NOTIFY 481; none written', async () => {
    const peer = await watcherPeer();
    const presentity = 'sip:alice@example.test';
    const foreign = await authorised(peer, { method: 'SUBSCRIBE', user: 'mallory@other.test', target: presentity, cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(foreign.status, 403);
    h.blocked.set(presentity, new Set(['sip:carol@example.test']));
    const block = await authorised(peer, { method: 'SUBSCRIBE', user: 'carol@example.test', target: presentity, cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(block.status, 403);
    h.blocked.clear();
    const unknown = await authorised(peer, { method: 'SUBSCRIBE', user: 'carol@example.test', target: 'sip:nobody@example.test', cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(unknown.status, 404);
    const badEvent = await authorised(peer, { method: 'SUBSCRIBE', user: 'carol@example.test', target: presentity, cseq: 1, headers: [['Event', 'message-summary']] });
    assert.equal(badEvent.status, 489);
    const strangerDialog = await authorised(peer, { method: 'SUBSCRIBE', user: 'carol@example.test', target: presentity, toTag: 'not-ours', cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(strangerDialog.status, 481);
    peer.send(request(peer, { method: 'NOTIFY', uri: presentity, from: `<sip:carol@example.test>;tag=x`, to: `<${presentity}>;tag=y`, callId: 'stray-notify', cseq: 1, headers: [['Event', 'presence'], ['Subscription-State', 'active']] }));
    assert.equal((await finalResponse(peer, 'stray-notify', 1)).status, 481, 'a NOTIFY for no subscription of ours');
    assert.deepEqual(await ofType(presentity, 'presence.watcher_subscribed.v1'), []);
    await settle(200);
    assert.equal(peer.inbox.requests('NOTIFY').length, 0);
  });

  it('an initial SUBSCRIBE with Expires: 0 is a fetch: 200, one terminated NOTIFY with the state, nothing written', async () => {
    const presentity = 'sip:alice@example.test';
    const watcher = await watcherPeer();
    const callId = newCallId('127.0.0.1');
    const before = (await events(presentity)).length;
    const ok = await authorised(watcher, { method: 'SUBSCRIBE', user: 'bob@example.test', target: presentity, callId, cseq: 1, headers: [['Event', 'presence'], ['Expires', '0']] });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('Expires'), '0');
    const only = await nextNotify(watcher, callId);
    assert.equal(only.state, 'terminated;reason=timeout');
    assert.equal(only.doc.entity, presentity);
    assert.equal((await events(presentity)).length, before);
  });

  it('a subscription not refreshed ends by its timer: terminated NOTIFY and watcher_unsubscribed (expired)', async () => {
    const presentity = 'sip:alice@example.test';
    const watcher = await watcherPeer();
    const callId = newCallId('127.0.0.1');
    const ok = await authorised(watcher, { method: 'SUBSCRIBE', user: 'carol@example.test', target: presentity, callId, cseq: 1, headers: [['Event', 'presence'], ['Expires', '1']] });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('Expires'), '1');
    assert.match((await nextNotify(watcher, callId)).state, /^active;expires=[01]$/);
    const final = await nextNotify(watcher, callId);
    assert.equal(final.state, 'terminated;reason=timeout');
    let reasons: string[] = [];
    for (let i = 0; i < 50 && reasons.length === 0; i++) {
      reasons = (await ofType(presentity, 'presence.watcher_unsubscribed.v1')).map((e) => e.data.reason);
      if (reasons.length === 0) await settle(50);
    }
    assert.deepEqual(reasons, ['expired']);
  });

  it('a registration that lapses shows Offline to watchers at its expiry, before any sweep writes it', async () => {
    const presentity = 'sip:erin@example.test';
    await h.provision(presentity);
    const device = await watcherPeer();
    await h.register(presentity, 'udp', device.port, 1);
    const watcher = await watcherPeer();
    const callId = newCallId('127.0.0.1');
    const ok = await authorised(watcher, { method: 'SUBSCRIBE', user: 'bob@example.test', target: presentity, callId, cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(ok.status, 200);
    const first = await nextNotify(watcher, callId);
    assert.equal(first.doc.tuples[0]?.basic, 'open');
    const lapsed = await nextNotify(watcher, callId);
    assert.equal(lapsed.doc.tuples[0]?.basic, 'closed');
    assert.equal(lapsed.doc.availability, 18000);
    assert.match(lapsed.state, /^active;/);
    assert.deepEqual((await events(presentity)).filter((e) => e.type === 'endpoint.expired.v1'), [], 'no sweep ran: the NOTIFY came from the expiry itself');
  });

  it('a watcher answering NOTIFY with 481 loses the subscription, written as unsubscribed', async () => {
    const presentity = 'sip:bob@example.test';
    await endpoint(presentity);
    const watcher = await watcherPeer();
    const callId = newCallId('127.0.0.1');
    const ok = await authorised(watcher, { method: 'SUBSCRIBE', user: 'alice@example.test', target: presentity, callId, cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(ok.status, 200);
    const subscribed = await ofType(presentity, 'presence.watcher_subscribed.v1');
    await nextNotify(watcher, callId, 481);
    let unsubscribed: string[] = [];
    for (let i = 0; i < 50 && unsubscribed.length === 0; i++) {
      unsubscribed = (await ofType(presentity, 'presence.watcher_unsubscribed.v1')).map((e) => e.data.subscriptionId);
      if (unsubscribed.length === 0) await settle(50);
    }
    assert.deepEqual(unsubscribed, [subscribed[0]?.data.subscriptionId]);
    await run(presentity, { type: 'SetUserState', data: { availability: 'away' } });
    await settle(300);
    assert.equal(watcher.inbox.requests('NOTIFY').length, 1, 'nothing more is sent to a dialog the watcher disowned');
  });

  it('close() ends live subscriptions with reason=deactivated, is idempotent, and refuses later requests with 503', async () => {
    const presentity = 'sip:carol@example.test';
    const watcher = await watcherPeer();
    const callId = newCallId('127.0.0.1');
    const ok = await authorised(watcher, { method: 'SUBSCRIBE', user: 'alice@example.test', target: presentity, callId, cseq: 1, headers: [['Event', 'presence']] });
    assert.equal(ok.status, 200);
    await nextNotify(watcher, callId);
    assert.ok(server.subscriptions >= 1);
    const closing = Promise.all([server.close(), server.close()]);
    const final = await nextNotify(watcher, callId);
    assert.equal(final.state, 'terminated;reason=deactivated');
    await closing;
    assert.equal(server.subscriptions, 0);
    const refused = await authorised(watcher, { method: 'SUBSCRIBE', user: 'alice@example.test', target: presentity, cseq: 5, headers: [['Event', 'presence']] });
    assert.equal(refused.status, 503);
    assert.equal(cseqMethod(refused), 'SUBSCRIBE');
  });
});
