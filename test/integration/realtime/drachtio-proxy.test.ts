import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ProxyOperation } from '../../../src/realtime/engine/proxy-operation.ts';
import { DrachtioSignalingEngine, parseDrachtioUrl } from '../../../src/realtime/drachtio/drachtio-signaling-engine.ts';
import { answerCancel, branchOf, finalStatuses, request, respond, toTagOf, UdpPeer, vias, type Peer } from './proxy-peers.ts';

/**
 * The same forking scenario as proxy-forking.test.ts, run by a real drachtio
 * server through the drachtio adapter. Needs DRACHTIO_URL (control socket,
 * host:port), DRACHTIO_SECRET and DRACHTIO_SIP (the server's UDP SIP
 * address, host:port, reachable from 127.0.0.1 peers). Never faked.
 */
const url = process.env['DRACHTIO_URL'];
const sip = process.env['DRACHTIO_SIP'];
const skip = !url
  ? 'DRACHTIO_URL is not set (no drachtio server to run against)'
  : !sip
    ? 'DRACHTIO_SIP (the drachtio server UDP SIP address, host:port) is not set'
    : false;

describe('drachtio adapter: proxying through a real drachtio server', { skip }, () => {
  let engine: DrachtioSignalingEngine;
  let sipHost = '127.0.0.1';
  let sipPort = 5060;
  const peers: Peer[] = [];
  let targets: string[] = [];
  let operation: ProxyOperation | undefined;

  before(async () => {
    ({ host: sipHost, port: sipPort } = parseDrachtioUrl(sip ?? ''));
    engine = await DrachtioSignalingEngine.connect({ url: url ?? '', secret: process.env['DRACHTIO_SECRET'] ?? 'cymru', logger: pino({ level: 'silent' }) });
    engine.onRequest((r) => {
      operation = r.proxy({ targets: targets.map((uri) => ({ uri })), forking: 'parallel', recordRoute: true });
    });
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await engine?.close();
  });

  it('forks an INVITE in parallel: first 200 wins with Record-Route, the other branch is CANCELled', { skip }, async () => {
    const open = async () => {
      const p = await new UdpPeer(sipPort, sipHost).open();
      peers.push(p);
      return p;
    };
    const [a, b, uac] = [await open(), await open(), await open()];
    targets = [`sip:bob@127.0.0.1:${a.port}`, `sip:bob@127.0.0.1:${b.port}`];
    const invite = request(uac, { method: 'INVITE', uri: `sip:bob@${sipHost}:${sipPort}` });
    uac.send(invite);
    const [ia, ib] = [await a.inbox.request('INVITE'), await b.inbox.request('INVITE')];
    assert.ok(ia.headers.has('Record-Route'));
    a.send(respond(a, ia, 180, 'tag-a'));
    await uac.inbox.response(180);
    b.send(respond(b, ib, 200, 'tag-b'));
    const ok = await uac.inbox.response(200, 'INVITE');
    assert.equal(toTagOf(ok), 'tag-b');
    assert.equal(vias(ok).length, 1);
    const cancel = await a.inbox.request('CANCEL');
    assert.equal(branchOf(vias(cancel)[0]), branchOf(vias(ia)[0]));
    answerCancel(a, ia, cancel, 'tag-a');
    assert.ok(operation);
    const result = await operation.result;
    assert.equal(result.kind, 'answered');
    assert.deepEqual(finalStatuses(uac, 'INVITE'), [200]);
  });
});
