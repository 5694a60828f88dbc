import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SipRequest } from '../../../src/realtime/sip/message.ts';
import { newTag } from '../../../src/realtime/sip/ids.ts';
import { formatUri } from '../../../src/realtime/sip/uri.ts';
import { CallHarness, contactOf, dataOf, DOMAIN, typesOf } from './call-harness.ts';
import { ackOf, inDialogFromCaller, request, respond, type UdpPeer } from './proxy-peers.ts';

const user = (name: string) => `sip:${name}@${DOMAIN}`;

/**
 * Calls from the PSTN: INVITEs from a defined gateway's address, on real UDP
 * sockets, routed over views built from real events.
 */
describe('call router: calls arriving from a gateway (embedded engine, real UDP sockets)', () => {
  const h = new CallHarness();
  let gw: UdpPeer;

  before(async () => {
    await h.start();
    gw = await h.peer();
    await h.config('gateway', 'pstn-in', { type: 'DefineGateway', data: { name: 'pstn-in', address: `127.0.0.1:${gw.port}`, transport: 'udp' } });
    await h.provision('pat', { lineUri: 'tel:+14255550500' });
    await h.provision('quinn', { lineUri: 'tel:+14255550501', voice: {} });
    await h.provision('ruth');
    await h.provision('dup1', { lineUri: 'tel:+14255550599' });
    await h.provision('dup2', { lineUri: 'tel:+14255550599' });
    await h.settled();
  });

  after(() => h.close());

  /** An INVITE as a gateway sends it: no credentials, the number in a user=phone Request-URI. */
  function pstnInvite(from: UdpPeer, uri: string, callerNumber = '+15550001111'): SipRequest {
    const invite = request(from, { method: 'INVITE', uri, from: `<sip:${callerNumber}@127.0.0.1;user=phone>;tag=${newTag()}` });
    from.send(invite);
    return invite;
  }

  it('trusted without a challenge, its number reverse-looked-up to the line URI; the user answers; events name the gateway', async () => {
    const p1 = await h.peer();
    await h.register('pat', p1);
    await h.settled();
    const invite = pstnInvite(gw, `sip:+14255550500@${DOMAIN};user=phone`);
    const ip = await p1.inbox.request('INVITE');
    assert.equal(formatUri(ip.uri), contactOf('pat', p1));
    assert.equal(gw.inbox.responses().filter((r) => r.status === 407).length, 0, 'a gateway is not challenged');
    p1.send(respond(p1, ip, 200, 'tag-p1'));
    const ok = await gw.inbox.response(200, 'INVITE');
    gw.send(inDialogFromCaller(gw, invite, ok, 'ACK', 1));
    await p1.inbox.request('ACK');

    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'answered']);
    const initiated = dataOf(events, 'call.initiated.v1');
    assert.deepEqual(
      { caller: initiated.caller, dialled: initiated.dialledString, normalized: initiated.normalizedNumber, gateway: initiated.inboundGateway },
      { caller: 'tel:+15550001111', dialled: '+14255550500', normalized: '+14255550500', gateway: 'pstn-in' },
    );
    assert.deepEqual(dataOf(events, 'call.routed.v1').route, { kind: 'user', target: user('pat'), contacts: [contactOf('pat', p1)] });
    assert.equal(events[0]?.metadata.actor, 'gateway:pstn-in');

    gw.send(inDialogFromCaller(gw, invite, ok, 'BYE', 2));
    const bye = await p1.inbox.request('BYE');
    p1.send(respond(p1, bye, 200, 'tag-p1'));
    await gw.inbox.response(200, 'BYE');
    assert.deepEqual(typesOf(await h.callEvents(invite.headers.get('Call-ID') ?? '')).at(-1), 'ended');
  });

  it('digits without "+" are E.164 too, and the user\'s forwarding applies (unreachable → another user)', async () => {
    const r1 = await h.peer();
    await h.register('ruth', r1);
    await h.user('quinn', { type: 'SetForwarding', data: { unreachable: user('ruth') } });
    await h.settled();
    const invite = pstnInvite(gw, `sip:14255550501@127.0.0.1:${h.port}`, '5551234');
    const ir = await r1.inbox.request('INVITE');
    r1.send(respond(r1, ir, 486, 'tag-r1'));
    const busy = await gw.inbox.response(486, 'INVITE');
    gw.send(ackOf(invite, busy));
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'forwarded', 'routed', 'ended']);
    const initiated = dataOf(events, 'call.initiated.v1');
    // Not E.164: the caller is named at the gateway's host.
    assert.deepEqual([initiated.caller, initiated.normalizedNumber], ['sip:5551234@127.0.0.1', '+14255550501']);
    const forwarded = dataOf(events, 'call.forwarded.v1');
    assert.deepEqual([forwarded.reason, forwarded.from, forwarded.to], ['unreachable', user('quinn'), user('ruth')]);
    assert.deepEqual([dataOf(events, 'call.ended.v1').cause, dataOf(events, 'call.ended.v1').sipStatus], ['busy', 486]);
  });

  it('a number nobody holds: 404, one two users hold: 485; both recorded as refused calls from the gateway', async () => {
    for (const [number, status] of [['+14255550999', 404], ['+14255550599', 485]] as const) {
      const invite = pstnInvite(gw, `sip:${number}@${DOMAIN};user=phone`);
      const refusal = await gw.inbox.response(status, 'INVITE');
      gw.send(ackOf(invite, refusal));
      const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
      assert.deepEqual(typesOf(events), ['initiated', 'ended']);
      assert.equal(dataOf(events, 'call.initiated.v1').inboundGateway, 'pstn-in');
      assert.deepEqual([dataOf(events, 'call.ended.v1').cause, dataOf(events, 'call.ended.v1').sipStatus], ['no_route', status]);
    }
  });

  it('the same INVITE from an address that is not a gateway is challenged (407) and writes nothing', async () => {
    const stranger = await h.peer();
    const invite = pstnInvite(stranger, `sip:+14255550500@${DOMAIN};user=phone`);
    const challenge = await stranger.inbox.response(407, 'INVITE');
    stranger.send(ackOf(invite, challenge));
    assert.deepEqual(await h.callEvents(invite.headers.get('Call-ID') ?? ''), []);
  });
});
