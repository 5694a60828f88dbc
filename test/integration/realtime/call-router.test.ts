import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SipRequest } from '../../../src/realtime/sip/message.ts';
import { formatUri } from '../../../src/realtime/sip/uri.ts';
import { CallHarness, contactOf, dataOf, DOMAIN, sdp, typesOf } from './call-harness.ts';
import { ackOf, answerCancel, cancelOf, inDialogFromCaller, request, respond, settle, vias, type UdpPeer } from './proxy-peers.ts';

const user = (name: string) => `sip:${name}@${DOMAIN}`;

/** Distinct final statuses to the authorized INVITE (CSeq 2; CSeq 1 got the 407). */
function authorizedFinals(uac: UdpPeer): number[] {
  const finals = uac.inbox.responses().filter((r) => r.status >= 200 && r.headers.get('CSeq') === '2 INVITE');
  return [...new Set(finals.map((r) => r.status))];
}

/** The caller's re-INVITE within the dialog, with an SDP offer. */
function reInvite(uac: UdpPeer, invite: SipRequest, ok: Parameters<typeof inDialogFromCaller>[2], cseq: number, direction: 'sendonly' | 'sendrecv'): SipRequest {
  const base = inDialogFromCaller(uac, invite, ok, 'INVITE', cseq);
  const headers = base.headers.append('Contact', `<sip:peer@127.0.0.1:${uac.port}>`).append('Content-Type', 'application/sdp');
  return { ...base, headers, body: Buffer.from(sdp(direction)) };
}

/**
 * The call router between scripted phones and gateways on real UDP sockets,
 * over views built from real events. Each test asserts what the phones got and
 * which call events the log holds.
 */
describe('call router (embedded engine, real UDP sockets, views from real events)', () => {
  const h = new CallHarness();
  let gw1: UdpPeer;
  let gw2: UdpPeer;

  before(async () => {
    await h.start();
    [gw1, gw2] = [await h.peer(), await h.peer()];
    await h.config('dialplan', 'Redmond', {
      type: 'DefineDialPlan',
      data: {
        name: 'Redmond',
        rules: [
          { pattern: '^(\\d{4})$', translation: '+1425555$1' },
          { pattern: '^9(\\d{10})$', translation: '+1$1' },
        ],
      },
    });
    const features = { forwarding: true, simultaneousRing: true, delegation: false, teamCall: false, callPark: false };
    await h.config('voicepolicy', 'Standard', { type: 'DefineVoicePolicy', data: { name: 'Standard', pstnUsages: ['Local'], features } });
    await h.config('voicepolicy', 'Internal', { type: 'DefineVoicePolicy', data: { name: 'Internal', pstnUsages: ['Internal'], features } });
    for (const [name, peer] of [['gw1', gw1], ['gw2', gw2]] as const) {
      await h.config('gateway', name, { type: 'DefineGateway', data: { name, address: `127.0.0.1:${peer.port}`, transport: 'udp' } });
    }
    await h.config('pstnroute', 'US', {
      type: 'DefinePstnRoute',
      data: { name: 'US', priority: 1, numberPattern: '^\\+1\\d{10}$', pstnUsages: ['Local'], gateways: ['gw1', 'gw2'] },
    });
    await h.provision('alice', { lineUri: 'tel:+14255550001', voice: { dialPlan: 'Redmond', voicePolicy: 'Standard' } });
    await h.provision('judy', { lineUri: 'tel:+14255550010', voice: { dialPlan: 'Redmond', voicePolicy: 'Internal' } });
    await h.settled();
  });

  after(() => h.close());

  it('A calls B by extension: both phones ring, the second answers, the other is CANCELled, BYE ends the call with its duration', async () => {
    await h.provision('bob', { lineUri: 'tel:+14255550002', voice: { voicePolicy: 'Standard' } });
    const [b1, b2, uac] = [await h.peer(), await h.peer(), await h.peer()];
    await h.register('bob', b1);
    await h.register('bob', b2);
    await h.settled();

    const invite = await h.invite(uac, 'alice', `sip:0002@${DOMAIN};user=phone`);
    const [i1, i2] = [await b1.inbox.request('INVITE'), await b2.inbox.request('INVITE')];
    for (const [forked, peer] of [[i1, b1], [i2, b2]] as const) {
      assert.equal(formatUri(forked.uri), contactOf('bob', peer));
      assert.deepEqual(forked.headers.getAll('Record-Route'), [`<sip:127.0.0.1:${h.port};lr>`]);
      assert.equal(forked.headers.has('Proxy-Authorization'), true, 'credentials for this proxy travel on (RFC 3261 §22.3 leaves them)');
    }
    b1.send(respond(b1, i1, 180, 'tag-b1'));
    await uac.inbox.response(180, 'INVITE');
    b2.send(respond(b2, i2, 200, 'tag-b2'));
    const ok = await uac.inbox.response(200, 'INVITE');
    assert.deepEqual(ok.headers.getAll('Record-Route'), [`<sip:127.0.0.1:${h.port};lr>`]);
    assert.equal(vias(ok).length, 1);
    answerCancel(b1, i1, await b1.inbox.request('CANCEL'), 'tag-b1');

    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await b2.inbox.request('ACK');
    h.skewMs = 42_000;
    try {
      uac.send(inDialogFromCaller(uac, invite, ok, 'BYE', 3));
      const bye = await b2.inbox.request('BYE');
      b2.send(respond(b2, bye, 200, 'tag-b2'));
      await uac.inbox.response(200, 'BYE');
      const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
      assert.deepEqual(typesOf(events), ['initiated', 'routed', 'ringing', 'answered', 'ended']);
      const initiated = dataOf(events, 'call.initiated.v1');
      assert.equal(initiated.caller, user('alice'));
      assert.equal(initiated.dialledString, '0002');
      assert.equal(initiated.normalizedNumber, '+14255550002');
      assert.deepEqual(dataOf(events, 'call.routed.v1').route, { kind: 'user', target: user('bob'), contacts: [contactOf('bob', b1), contactOf('bob', b2)] });
      assert.equal(dataOf(events, 'call.ringing.v1').contact, contactOf('bob', b1));
      assert.equal(dataOf(events, 'call.answered.v1').contact, contactOf('bob', b2));
      const ended = dataOf(events, 'call.ended.v1');
      assert.deepEqual({ cause: ended.cause, sipStatus: ended.sipStatus, durationSeconds: ended.durationSeconds }, { cause: 'completed', sipStatus: 200, durationSeconds: 42 });
      assert.equal(events[0]?.metadata.correlationId, `sip:${invite.headers.get('Call-ID')}`);
    } finally {
      h.skewMs = 0;
    }
    assert.equal(h.router.recorder.failures, 0);
  });

  it('an INVITE without credentials gets 407 and writes nothing; a wrong password is challenged again; the authorized one is routed', async () => {
    await h.provision('carol');
    await h.settled();
    const uac = await h.peer();
    const invite = await h.invite(uac, 'alice', user('carol'));
    const callId = invite.headers.get('Call-ID') ?? '';
    const challenge = uac.inbox.responses().find((r) => r.status === 407);
    assert.match(challenge?.headers.get('Proxy-Authenticate') ?? '', new RegExp(`^Digest realm="${DOMAIN}"`));
    // Carol has no live contact and no forwarding.
    const unavailable = await uac.inbox.response(480, 'INVITE');
    uac.send(ackOf(invite, unavailable));
    const events = await h.callEvents(callId);
    assert.deepEqual(typesOf(events), ['initiated', 'ended']);
    assert.deepEqual(
      { dialled: dataOf(events, 'call.initiated.v1').dialledString, normalized: dataOf(events, 'call.initiated.v1').normalizedNumber },
      { dialled: user('carol'), normalized: null },
    );
    const ended = dataOf(events, 'call.ended.v1');
    assert.deepEqual([ended.cause, ended.sipStatus], ['unreachable', 480]);

    const wrong = await h.peer();
    const bad = request(wrong, {
      method: 'INVITE',
      uri: user('carol'),
      from: `<${user('alice')}>;tag=x1`,
      headers: [['Proxy-Authorization', `Digest username="alice", realm="${DOMAIN}", nonce="bogus", uri="${user('carol')}", response="00000000000000000000000000000000"`]],
    });
    wrong.send(bad);
    const again = await wrong.inbox.response(407, 'INVITE');
    wrong.send(ackOf(bad, again));
    assert.deepEqual(await h.callEvents(bad.headers.get('Call-ID') ?? ''), []);
  });

  it('callee not registered with unreachable forwarding: forwarded event, the forward target rings and answers', async () => {
    await h.provision('dave', { lineUri: 'tel:+14255550004', voice: { voicePolicy: 'Standard' } });
    await h.provision('erin');
    const e1 = await h.peer();
    await h.register('erin', e1);
    await h.user('dave', { type: 'SetForwarding', data: { unreachable: user('erin') } });
    await h.settled();
    const uac = await h.peer();
    const invite = await h.invite(uac, 'alice', user('dave'));
    const ie = await e1.inbox.request('INVITE');
    assert.equal(formatUri(ie.uri), contactOf('erin', e1));
    e1.send(respond(e1, ie, 180, 'tag-e1'));
    await uac.inbox.response(180, 'INVITE');
    e1.send(respond(e1, ie, 200, 'tag-e1'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await e1.inbox.request('ACK');
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'forwarded', 'routed', 'ringing', 'answered']);
    const forwarded = dataOf(events, 'call.forwarded.v1');
    assert.deepEqual([forwarded.reason, forwarded.from, forwarded.to], ['unreachable', user('dave'), user('erin')]);
    assert.deepEqual(dataOf(events, 'call.routed.v1').route, { kind: 'user', target: user('erin'), contacts: [contactOf('erin', e1)] });
  });

  it('no answer within N s: the phone is CANCELled and the forward target rings in the same call', async () => {
    await h.provision('frank', { lineUri: 'tel:+14255550006', voice: { voicePolicy: 'Standard' } });
    await h.provision('gina');
    const [f1, g1, uac] = [await h.peer(), await h.peer(), await h.peer()];
    await h.register('frank', f1);
    await h.register('gina', g1);
    await h.user('frank', { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 5, target: user('gina') } } });
    await h.settled();
    const invite = await h.invite(uac, 'alice', user('frank'));
    const inf = await f1.inbox.request('INVITE');
    f1.send(respond(f1, inf, 180, 'tag-f1'));
    await uac.inbox.response(180, 'INVITE');
    assert.deepEqual(g1.inbox.requests('INVITE'), [], 'gina does not ring while frank does');
    h.proxyClock.advance(4_999);
    await settle(50);
    assert.deepEqual(f1.inbox.requests('CANCEL'), [], 'not before the 5 s');
    h.proxyClock.advance(1);
    answerCancel(f1, inf, await f1.inbox.request('CANCEL'), 'tag-f1');
    const ig = await g1.inbox.request('INVITE');
    assert.equal(formatUri(ig.uri), contactOf('gina', g1));
    g1.send(respond(g1, ig, 200, 'tag-g1'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await g1.inbox.request('ACK');
    await settle();
    assert.deepEqual(authorizedFinals(uac), [200], 'the timed-out branch never reached the caller');
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'ringing', 'forwarded', 'routed', 'answered']);
    const forwarded = dataOf(events, 'call.forwarded.v1');
    assert.deepEqual([forwarded.reason, forwarded.from, forwarded.to], ['no_answer', user('frank'), user('gina')]);
    assert.equal(dataOf(events, 'call.answered.v1').contact, contactOf('gina', g1));
  });

  it('busy on every phone: both 486 are absorbed and the call goes to the busy forward target', async () => {
    await h.provision('hank', { lineUri: 'tel:+14255550008', voice: { voicePolicy: 'Standard' } });
    await h.provision('ivan');
    const [h1, h2, i1, uac] = [await h.peer(), await h.peer(), await h.peer(), await h.peer()];
    await h.register('hank', h1);
    await h.register('hank', h2);
    await h.register('ivan', i1);
    await h.user('hank', { type: 'SetForwarding', data: { busy: user('ivan') } });
    await h.settled();
    const invite = await h.invite(uac, 'alice', user('hank'));
    const [ih1, ih2] = [await h1.inbox.request('INVITE'), await h2.inbox.request('INVITE')];
    h1.send(respond(h1, ih1, 486, 'tag-h1'));
    await h1.inbox.request('ACK');
    h2.send(respond(h2, ih2, 486, 'tag-h2'));
    await h2.inbox.request('ACK');
    const ii = await i1.inbox.request('INVITE');
    i1.send(respond(i1, ii, 200, 'tag-i1'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await settle();
    assert.deepEqual(authorizedFinals(uac), [200], 'no 486 went upstream');
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'forwarded', 'routed', 'answered']);
    const forwarded = dataOf(events, 'call.forwarded.v1');
    assert.deepEqual([forwarded.reason, forwarded.from, forwarded.to], ['busy', user('hank'), user('ivan')]);
  });

  it('PSTN: the number goes through the policy usage and route to gw1, which answers 503; gw2 answers', async () => {
    const uac = await h.peer();
    const invite = await h.invite(uac, 'alice', `sip:94255551234@${DOMAIN};user=phone`);
    const first = await gw1.inbox.request('INVITE');
    assert.equal(formatUri(first.uri), `sip:+14255551234@127.0.0.1:${gw1.port};user=phone`);
    gw1.send(respond(gw1, first, 503, 'tag-gw1'));
    await gw1.inbox.request('ACK');
    const second = await gw2.inbox.request('INVITE');
    assert.equal(formatUri(second.uri), `sip:+14255551234@127.0.0.1:${gw2.port};user=phone`);
    gw2.send(respond(gw2, second, 183, 'tag-gw2'));
    await uac.inbox.response(183, 'INVITE');
    gw2.send(respond(gw2, second, 200, 'tag-gw2'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await gw2.inbox.request('ACK');
    uac.send(inDialogFromCaller(uac, invite, ok, 'BYE', 3));
    gw2.send(respond(gw2, await gw2.inbox.request('BYE'), 200, 'tag-gw2'));
    await uac.inbox.response(200, 'BYE');

    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'ringing', 'answered', 'ended']);
    assert.equal(dataOf(events, 'call.initiated.v1').normalizedNumber, '+14255551234');
    assert.deepEqual(dataOf(events, 'call.routed.v1').route, {
      kind: 'pstn',
      number: '+14255551234',
      routeName: 'US',
      gateway: 'gw1',
      gateways: ['gw1', 'gw2'],
      voicePolicy: 'Standard',
      pstnUsage: 'Local',
    });
    assert.equal(dataOf(events, 'call.answered.v1').contact, `sip:+14255551234@127.0.0.1:${gw2.port};user=phone`);
    assert.equal(dataOf(events, 'call.ended.v1').cause, 'completed');
  });

  it('a voice policy without a usage for the number: 403, nothing reaches a gateway, the call ends rejected', async () => {
    const uac = await h.peer();
    const before = [gw1.inbox.all.length, gw2.inbox.all.length];
    const invite = await h.invite(uac, 'judy', `sip:94255551234@${DOMAIN};user=phone`);
    const forbidden = await uac.inbox.response(403, 'INVITE');
    uac.send(ackOf(invite, forbidden));
    await settle();
    assert.deepEqual([gw1.inbox.all.length, gw2.inbox.all.length], before);
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'ended']);
    const ended = dataOf(events, 'call.ended.v1');
    assert.deepEqual([ended.cause, ended.sipStatus, ended.durationSeconds], ['rejected', 403, 0]);
  });

  it('CANCEL while ringing: 200 to the CANCEL, the phone is CANCELled, 487 upstream, the call ends cancelled', async () => {
    await h.provision('kate');
    const [k1, uac] = [await h.peer(), await h.peer()];
    await h.register('kate', k1);
    await h.settled();
    const invite = await h.invite(uac, 'alice', user('kate'));
    const ik = await k1.inbox.request('INVITE');
    k1.send(respond(k1, ik, 180, 'tag-k1'));
    await uac.inbox.response(180, 'INVITE');
    uac.send(cancelOf(invite));
    await uac.inbox.response(200, 'CANCEL');
    answerCancel(k1, ik, await k1.inbox.request('CANCEL'), 'tag-k1');
    const terminated = await uac.inbox.response(487, 'INVITE');
    uac.send(ackOf(invite, terminated));
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'ringing', 'ended']);
    const ended = dataOf(events, 'call.ended.v1');
    assert.deepEqual([ended.cause, ended.sipStatus], ['cancelled', 487]);
  });

  it('hold and resume: re-INVITEs through the Record-Route with a=sendonly then a=sendrecv', async () => {
    await h.provision('leo');
    const [l1, uac] = [await h.peer(), await h.peer()];
    await h.register('leo', l1);
    await h.settled();
    const invite = await h.invite(uac, 'alice', user('leo'), { body: sdp('sendrecv') });
    const il = await l1.inbox.request('INVITE');
    l1.send(respond(l1, il, 200, 'tag-l1'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await l1.inbox.request('ACK');

    for (const [cseq, direction] of [[3, 'sendonly'], [4, 'sendrecv']] as const) {
      const re = reInvite(uac, invite, ok, cseq, direction);
      uac.send(re);
      const received = await l1.inbox.request('INVITE', (r) => r.headers.get('CSeq') === `${cseq} INVITE`);
      assert.match(received.body.toString(), new RegExp(`a=${direction}`));
      assert.equal(received.headers.has('Route'), false, 'the proxy took its own Route off');
      l1.send(respond(l1, received, 200, 'tag-l1'));
      const reOk = await uac.inbox.waitFor((m) => m.kind === 'response' && m.status === 200 && m.headers.get('CSeq') === `${cseq} INVITE`, `200 to re-INVITE ${cseq}`);
      assert.equal(reOk.kind, 'response');
      uac.send({ ...inDialogFromCaller(uac, invite, ok, 'ACK', cseq), headers: inDialogFromCaller(uac, invite, ok, 'ACK', cseq).headers.set('CSeq', `${cseq} ACK`) });
    }
    uac.send(inDialogFromCaller(uac, invite, ok, 'BYE', 5));
    l1.send(respond(l1, await l1.inbox.request('BYE'), 200, 'tag-l1'));
    await uac.inbox.response(200, 'BYE');
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'answered', 'held', 'resumed', 'ended']);
    assert.equal(dataOf(events, 'call.held.v1').by, user('alice'));
    assert.equal(dataOf(events, 'call.resumed.v1').by, user('alice'));
    assert.equal(h.router.recorder.failures, 0);
  });
});
