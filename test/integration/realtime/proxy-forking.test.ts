import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { EmbeddedSignalingEngine } from '../../../src/realtime/engine/embedded-signaling-engine.ts';
import type { ProxyOperation, ProxyOptions } from '../../../src/realtime/engine/proxy-operation.ts';
import type { InboundRequest } from '../../../src/realtime/engine/signaling-engine.ts';
import { createSipEngine, type SipEngine } from '../../../src/realtime/sip/sip-engine.ts';
import { formatUri } from '../../../src/realtime/sip/uri.ts';
import {
  ackOf,
  answerCancel,
  branchOf,
  finalStatuses,
  cancelOf,
  inDialogFromCaller,
  request,
  respond,
  settle,
  TcpPeer,
  toTagOf,
  UdpPeer,
  vias,
  type Peer,
} from './proxy-peers.ts';

const silent = pino({ level: 'silent' });
/** Short T1 so transaction timers stay short; the peers answer at once anyway. */
const TIMERS = { t1: 50, t2: 200, t4: 250, timerD: 500, cancelGuard: 3000 };

/**
 * The embedded engine's RFC 3261 §16 proxy, driven through the engine port,
 * between scripted UAC/UAS peers on real sockets on 127.0.0.1. Each test
 * asserts what every peer received.
 */
describe('stateful proxy on the embedded engine (real UDP/TCP sockets)', () => {
  let engine: SipEngine;
  let signaling: EmbeddedSignalingEngine;
  let udpPort = 0;
  let tcpPort = 0;
  /** What the proxy does with a request that is not within a dialog; set per test. */
  let route: (request: InboundRequest) => void = (r) => r.reply(404);
  const peers: Peer[] = [];

  before(async () => {
    engine = await createSipEngine({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
      ],
      timers: TIMERS,
      logger: silent,
    });
    udpPort = engine.listening.find((l) => l.protocol === 'udp')?.port ?? 0;
    tcpPort = engine.listening.find((l) => l.protocol === 'tcp')?.port ?? 0;
    signaling = new EmbeddedSignalingEngine({ engine, logger: silent });
    // The handlers' shape: in-dialog requests (ACK, BYE, re-INVITE) follow their Route; the rest is routed.
    signaling.onRequest((r) => (r.inDialog || r.message.method === 'ACK' ? r.proxy() : route(r)));
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await signaling.close();
  });

  async function udp(): Promise<UdpPeer> {
    const p = await new UdpPeer(udpPort).open();
    peers.push(p);
    return p;
  }

  /** Proxies every routed request with these options and records the operation's events. */
  function proxyTo(options: (r: InboundRequest) => ProxyOptions): { events: string[]; operation: () => ProxyOperation } {
    const events: string[] = [];
    let op: ProxyOperation | undefined;
    route = (r) => {
      const current = r.proxy(options(r));
      op ??= current;
      if (current !== op) return;
      current
        .on('branch-started', (b) => events.push(`started:${b.index}`))
        .on('provisional', (b, res) => events.push(`provisional:${b.index}:${res.status}`))
        .on('branch-completed', (b, o) => events.push(`done:${b.index}:${o.kind === 'response' ? o.response.status : o.kind}`))
        .on('upstream-cancel', () => events.push('upstream-cancel'))
        .on('completed', (res) => events.push(`completed:${res.kind}`));
    };
    return {
      events,
      operation: () => {
        assert.ok(op, 'the proxy handler never ran');
        return op;
      },
    };
  }

  const target = (peer: Peer, user = 'bob') => ({ uri: `sip:${user}@127.0.0.1:${peer.port}` });

  it('forks an INVITE in parallel: the first 200 wins with Record-Route, the other branch is CANCELled, ACK and BYE follow the route', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    const run = proxyTo(() => ({ targets: [target(a), target(b)], forking: 'parallel', recordRoute: true }));
    const invite = request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` });
    uac.send(invite);

    const [ia, ib] = [await a.inbox.request('INVITE'), await b.inbox.request('INVITE')];
    for (const [forked, peer] of [[ia, a], [ib, b]] as const) {
      assert.equal(formatUri(forked.uri), `sip:bob@127.0.0.1:${peer.port}`);
      assert.equal(forked.headers.get('Max-Forwards'), '69');
      const [proxyVia, uacVia, ...more] = vias(forked);
      assert.match(proxyVia ?? '', new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${udpPort};branch=z9hG4bK[0-9a-f]{20}\\.`));
      // The caller's Via travels on stamped with where it really came from (RFC 3581), so responses find their way back.
      assert.equal(branchOf(uacVia), branchOf(vias(invite)[0]));
      assert.match(uacVia ?? '', /;received=127\.0\.0\.1/);
      assert.match(uacVia ?? '', new RegExp(`;rport=${uac.port}`));
      assert.deepEqual(more, []);
      assert.deepEqual(forked.headers.getAll('Record-Route'), [`<sip:127.0.0.1:${udpPort};lr>`]);
    }
    assert.notEqual(branchOf(vias(ia)[0]), branchOf(vias(ib)[0]));

    a.send(respond(a, ia, 180, 'tag-a'));
    const ringing = await uac.inbox.response(180);
    assert.equal(vias(ringing).length, 1, 'the proxy removed its own Via');
    assert.equal(branchOf(vias(ringing)[0]), branchOf(vias(invite)[0]));
    assert.equal(toTagOf(ringing), 'tag-a');

    b.send(respond(b, ib, 200, 'tag-b'));
    const ok = await uac.inbox.response(200, 'INVITE');
    assert.equal(vias(ok).length, 1);
    assert.equal(toTagOf(ok), 'tag-b');
    assert.deepEqual(ok.headers.getAll('Record-Route'), [`<sip:127.0.0.1:${udpPort};lr>`]);
    assert.equal(ok.headers.get('Contact'), `<sip:uas@127.0.0.1:${b.port}>`);

    const cancel = await a.inbox.request('CANCEL');
    assert.equal(branchOf(vias(cancel)[0]), branchOf(vias(ia)[0]), 'CANCEL uses the INVITE branch');
    answerCancel(a, ia, cancel, 'tag-a');
    const ackA = await a.inbox.request('ACK');
    assert.equal(branchOf(vias(ackA)[0]), branchOf(vias(ia)[0]), 'the 487 is ACKed hop by hop');

    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 1));
    const ackB = await b.inbox.request('ACK');
    assert.equal(formatUri(ackB.uri), `sip:uas@127.0.0.1:${b.port}`);
    assert.equal(ackB.headers.has('Route'), false, 'the proxy removed its own Route');
    assert.equal(vias(ackB).length, 2);

    uac.send(inDialogFromCaller(uac, invite, ok, 'BYE', 2));
    const bye = await b.inbox.request('BYE');
    assert.equal(bye.headers.has('Route'), false);
    assert.equal(bye.headers.has('Record-Route'), false, 'no Record-Route inside a dialog');
    assert.equal(bye.headers.get('Max-Forwards'), '69');
    b.send(respond(b, bye, 200, 'tag-b'));
    await uac.inbox.response(200, 'BYE');

    const result = await run.operation().result;
    assert.equal(result.kind, 'answered');
    assert.equal(result.kind === 'answered' ? result.branch.index : -1, 1);
    await settle();
    assert.deepEqual(finalStatuses(uac, 'INVITE'), [200], 'the cancelled branch 487 stays in the proxy');
    assert.deepEqual(run.events, ['started:0', 'started:1', 'provisional:0:180', 'done:1:200', 'completed:answered', 'done:0:487']);
  });

  it('all branches busy: one 486 goes upstream, every branch gets its ACK', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    const run = proxyTo(() => ({ targets: [target(a), target(b)], forking: 'parallel' }));
    const invite = request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` });
    uac.send(invite);
    const [ia, ib] = [await a.inbox.request('INVITE'), await b.inbox.request('INVITE')];
    a.send(respond(a, ia, 486, 'tag-a'));
    await a.inbox.request('ACK');
    b.send(respond(b, ib, 486, 'tag-b'));
    await b.inbox.request('ACK');
    const busy = await uac.inbox.response(486);
    uac.send(ackOf(invite, busy));
    assert.equal(vias(busy).length, 1);
    assert.deepEqual(await run.operation().result.then((r) => r.kind === 'failed' && r.status), 486);
    await settle();
    assert.deepEqual(finalStatuses(uac, 'INVITE'), [486]);
  });

  it('a 6xx ends the search: pending branches are CANCELled and the 603 goes upstream', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    const run = proxyTo(() => ({ targets: [target(a), target(b)], forking: 'parallel' }));
    uac.send(request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` }));
    const [ia, ib] = [await a.inbox.request('INVITE'), await b.inbox.request('INVITE')];
    a.send(respond(a, ia, 180, 'tag-a'));
    await uac.inbox.response(180);
    b.send(respond(b, ib, 603, 'tag-b'));
    const cancel = await a.inbox.request('CANCEL');
    answerCancel(a, ia, cancel, 'tag-a');
    const decline = await uac.inbox.response(603);
    assert.equal(toTagOf(decline), 'tag-b');
    assert.deepEqual(await run.operation().result.then((r) => r.kind === 'failed' && r.status), 603);
  });

  it('a 6xx in sequential forking: the next target is never tried', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    proxyTo(() => ({ targets: [target(a), target(b)], forking: 'sequential' }));
    uac.send(request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` }));
    const ia = await a.inbox.request('INVITE');
    a.send(respond(a, ia, 600, 'tag-a'));
    await uac.inbox.response(600);
    await settle();
    assert.deepEqual(b.inbox.all, []);
  });

  it('CANCEL from upstream: 200 to the CANCEL, every branch CANCELled, 487 upstream', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    const run = proxyTo(() => ({ targets: [target(a), target(b)], forking: 'parallel' }));
    const invite = request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` });
    uac.send(invite);
    const [ia, ib] = [await a.inbox.request('INVITE'), await b.inbox.request('INVITE')];
    a.send(respond(a, ia, 180, 'tag-a'));
    b.send(respond(b, ib, 180, 'tag-b'));
    await uac.inbox.response(180);
    uac.send(cancelOf(invite));
    await uac.inbox.response(200, 'CANCEL');
    const [ca, cb] = [await a.inbox.request('CANCEL'), await b.inbox.request('CANCEL')];
    answerCancel(a, ia, ca, 'tag-a');
    answerCancel(b, ib, cb, 'tag-b');
    const terminated = await uac.inbox.response(487, 'INVITE');
    uac.send(ackOf(invite, terminated));
    assert.equal(vias(terminated).length, 1);
    assert.deepEqual(await run.operation().result.then((r) => r.kind === 'failed' && r.status), 487);
    assert.ok(run.events.includes('upstream-cancel'));
    await settle();
    assert.deepEqual(finalStatuses(uac, 'INVITE'), [487]);
  });

  it('Max-Forwards 0: 483, nothing forwarded (OPTIONS reaches the proxy, INVITE is stopped by the engine)', async () => {
    const [a, uac] = [await udp(), await udp()];
    const run = proxyTo(() => ({ targets: [target(a)] }));
    uac.send(request(uac, { method: 'OPTIONS', uri: `sip:bob@127.0.0.1:${udpPort}`, maxForwards: 0 }));
    await uac.inbox.response(483, 'OPTIONS');
    assert.deepEqual(await run.operation().result, { kind: 'rejected', status: 483, reason: 'Too Many Hops' });
    uac.send(request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}`, maxForwards: 0 }));
    await uac.inbox.response(483, 'INVITE');
    await settle();
    assert.deepEqual(a.inbox.all, []);
  });

  it('a request that comes back unchanged is a loop (482); one retargeted on the way is a spiral and goes through', async () => {
    const [a, uac] = [await udp(), await udp()];
    route = (r) => {
      const user = r.message.uri.scheme === 'sip' ? r.message.uri.user : undefined;
      // "loop" is sent back to this proxy unchanged; "spiral" is retargeted to bob at this proxy, then to the UAS.
      if (user === 'loop') r.proxy();
      else if (user === 'spiral') r.proxy({ targets: [{ uri: `sip:bob@127.0.0.1:${udpPort}` }] });
      else r.proxy({ targets: [target(a)] });
    };
    uac.send(request(uac, { method: 'INVITE', uri: `sip:loop@127.0.0.1:${udpPort}` }));
    const looped = await uac.inbox.response(482, 'INVITE');
    assert.equal(vias(looped).length, 1);

    uac.send(request(uac, { method: 'INVITE', uri: `sip:spiral@127.0.0.1:${udpPort}` }));
    const spiralled = await a.inbox.request('INVITE');
    const [first, second] = vias(spiralled);
    assert.match(first ?? '', new RegExp(`127\\.0\\.0\\.1:${udpPort};branch=`));
    assert.match(second ?? '', new RegExp(`127\\.0\\.0\\.1:${udpPort};branch=`));
    assert.equal(vias(spiralled).length, 3);
    assert.equal(spiralled.headers.get('Max-Forwards'), '68');
    a.send(respond(a, spiralled, 200, 'tag-a'));
    const ok = await uac.inbox.response(200, 'INVITE');
    assert.equal(vias(ok).length, 1);
  });

  it('sequential forking: a branch that rings without answering is CANCELled at its timeout and the next target answers', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    const run = proxyTo(() => ({ targets: [target(a), target(b)], forking: 'sequential', branchTimeoutMs: 300 }));
    uac.send(request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` }));
    const ia = await a.inbox.request('INVITE');
    a.send(respond(a, ia, 180, 'tag-a'));
    await uac.inbox.response(180);
    assert.deepEqual(b.inbox.requests('INVITE'), [], 'sequential: b waits for a');
    const cancel = await a.inbox.request('CANCEL');
    answerCancel(a, ia, cancel, 'tag-a');
    const ib = await b.inbox.request('INVITE');
    b.send(respond(b, ib, 200, 'tag-b'));
    const ok = await uac.inbox.response(200, 'INVITE');
    assert.equal(toTagOf(ok), 'tag-b');
    await run.operation().result;
    assert.deepEqual(run.events.slice(0, 6), ['started:0', 'provisional:0:180', 'done:0:timeout', 'started:1', 'done:1:200', 'completed:answered']);
  });

  it('sequential forking: a 503 from the first gateway moves to the next; when every gateway fails the caller gets 500', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    proxyTo(() => ({ targets: [target(a, 'gw'), target(b, 'gw')], forking: 'sequential' }));
    const invite = request(uac, { method: 'INVITE', uri: `sip:+15551234@127.0.0.1:${udpPort}` });
    uac.send(invite);
    const ia = await a.inbox.request('INVITE');
    a.send(respond(a, ia, 503, 'tag-a'));
    await a.inbox.request('ACK');
    const ib = await b.inbox.request('INVITE');
    b.send(respond(b, ib, 503, 'tag-b'));
    const failed = await uac.inbox.response(500, 'INVITE');
    uac.send(ackOf(invite, failed));
    assert.equal(vias(failed).length, 1);
    await settle();
    assert.deepEqual(finalStatuses(uac, 'INVITE'), [500], 'a 503 is never passed upstream');
  });

  it('sequential forking: 5xx then 200 from the next gateway', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    proxyTo(() => ({ targets: [target(a, 'gw'), target(b, 'gw')] }));
    uac.send(request(uac, { method: 'INVITE', uri: `sip:+15551234@127.0.0.1:${udpPort}` }));
    a.send(respond(a, await a.inbox.request('INVITE'), 500, 'tag-a'));
    b.send(respond(b, await b.inbox.request('INVITE'), 200, 'tag-b'));
    const ok = await uac.inbox.response(200, 'INVITE');
    assert.equal(toTagOf(ok), 'tag-b');
  });

  it('TCP caller to UDP callee: double Record-Route (RFC 5658), and a BYE over TCP crosses both routes', async () => {
    const a = await udp();
    const uac = await new TcpPeer(tcpPort).open();
    peers.push(uac);
    proxyTo(() => ({ targets: [target(a)], recordRoute: true }));
    const invite = request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${tcpPort};transport=tcp` });
    uac.send(invite);
    const ia = await a.inbox.request('INVITE');
    assert.deepEqual(ia.headers.getAll('Record-Route'), [`<sip:127.0.0.1:${udpPort};lr>`, `<sip:127.0.0.1:${tcpPort};transport=tcp;lr>`]);
    a.send(respond(a, ia, 200, 'tag-a'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 1));
    await a.inbox.request('ACK');
    uac.send(inDialogFromCaller(uac, invite, ok, 'BYE', 2));
    const bye = await a.inbox.request('BYE');
    assert.equal(bye.headers.has('Route'), false, 'both of the proxy Route entries were removed');
    a.send(respond(a, bye, 200, 'tag-a'));
    await uac.inbox.response(200, 'BYE');
  });

  it('a BYE from the callee follows the Record-Route back to the caller', async () => {
    const [a, uac] = [await udp(), await udp()];
    proxyTo(() => ({ targets: [target(a)], recordRoute: true }));
    const invite = request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` });
    uac.send(invite);
    const ia = await a.inbox.request('INVITE');
    a.send(respond(a, ia, 200, 'tag-a'));
    await uac.inbox.response(200, 'INVITE');
    // The callee's route set is the Record-Route as received; the remote target is the caller's Contact.
    const callerContact = ia.headers.get('Contact') ?? '';
    const bye = request(a, {
      method: 'BYE',
      uri: callerContact.slice(1, -1),
      from: ia.headers.get('To') + ';tag=tag-a',
      to: ia.headers.get('From') ?? '',
      callId: ia.headers.get('Call-ID') ?? '',
      cseq: 1,
      headers: ia.headers.getAll('Record-Route').map((rr) => ['Route', rr] as const),
    });
    a.send(bye);
    const received = await uac.inbox.request('BYE');
    assert.equal(received.headers.has('Route'), false);
    assert.equal(vias(received).length, 2);
    uac.send(respond(uac, received, 200, 'x'));
    await a.inbox.response(200, 'BYE');
  });

  it('MESSAGE forked in parallel: the 200 goes upstream, not the 404', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    proxyTo(() => ({ targets: [target(a), target(b)], forking: 'parallel' }));
    uac.send(request(uac, { method: 'MESSAGE', uri: `sip:bob@127.0.0.1:${udpPort}`, headers: [['Content-Type', 'text/plain']], body: 'hi' }));
    const [ma, mb] = [await a.inbox.request('MESSAGE'), await b.inbox.request('MESSAGE')];
    assert.equal(ma.body.toString(), 'hi');
    a.send(respond(a, ma, 404, 'tag-a'));
    b.send(respond(b, mb, 200, 'tag-b'));
    await uac.inbox.response(200, 'MESSAGE');
    await settle();
    assert.deepEqual(finalStatuses(uac, 'MESSAGE'), [200]);
  });

  it('401 and 407 from two branches: one challenge response upstream carrying both challenges', async () => {
    const [a, b, uac] = [await udp(), await udp(), await udp()];
    proxyTo(() => ({ targets: [target(a), target(b)], forking: 'parallel' }));
    uac.send(request(uac, { method: 'INVITE', uri: `sip:bob@127.0.0.1:${udpPort}` }));
    const [ia, ib] = [await a.inbox.request('INVITE'), await b.inbox.request('INVITE')];
    a.send(respond(a, ia, 401, 'tag-a', [['WWW-Authenticate', 'Digest realm="a", nonce="1"']]));
    b.send(respond(b, ib, 407, 'tag-b', [['Proxy-Authenticate', 'Digest realm="b", nonce="2"']]));
    const challenge = await uac.inbox.response(401, 'INVITE');
    assert.deepEqual(challenge.headers.getAll('WWW-Authenticate'), ['Digest realm="a", nonce="1"']);
    assert.deepEqual(challenge.headers.getAll('Proxy-Authenticate'), ['Digest realm="b", nonce="2"']);
  });
});
