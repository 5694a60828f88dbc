import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import type { InboundRequest } from '../../../src/realtime/engine/signaling-engine.ts';
import type { RegisterHandler } from '../../../src/realtime/front-end/sip-front-end.ts';
import type { RegisterTransaction } from '../../../src/realtime/registrar/registrar.ts';
import { newTag } from '../../../src/realtime/sip/ids.ts';
import { DOMAIN, finalResponse, sendWithAuth, startFrontEnd, type FrontEndHarness } from './front-end-harness.ts';
import { request, settle, type Peer, type RequestSpec } from './proxy-peers.ts';

/** Sends one request and returns its final response. */
async function ask(peer: Peer, spec: RequestSpec) {
  const callId = spec.callId ?? `${randomBytes(6).toString('hex')}@127.0.0.1`;
  peer.send(request(peer, { ...spec, callId, cseq: spec.cseq ?? 1 }));
  return finalResponse(peer, callId, spec.cseq ?? 1);
}

function allowOf(headers: { get(name: string): string | undefined }): string[] {
  return (headers.get('Allow') ?? '').split(',').map((m) => m.trim());
}

describe('SIP front-end dispatch (real UDP/TCP sockets)', () => {
  let h: FrontEndHarness;
  let client: Peer;

  before(async () => {
    h = await startFrontEnd();
    await h.provision('alice');
    client = await h.udp();
  });

  after(async () => {
    await h.close();
  });

  it('OPTIONS to the domain: 200 with Allow, Accept, Accept-Encoding and Supported (RFC 3261 §11.2)', async () => {
    const ok = await ask(client, { method: 'OPTIONS', uri: `sip:${DOMAIN}` });
    assert.equal(ok.status, 200);
    const allow = allowOf(ok.headers);
    for (const m of ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'MESSAGE']) assert.ok(allow.includes(m), `Allow lacks ${m}: ${allow.join(',')}`);
    assert.ok(!allow.includes('SUBSCRIBE'), 'no presence server yet: SUBSCRIBE is not advertised');
    assert.match(ok.headers.get('Accept') ?? '', /application\/sdp/);
    assert.match(ok.headers.get('Accept') ?? '', /text\/plain/);
    assert.equal(ok.headers.get('Accept-Encoding'), 'identity');
    assert.equal(ok.headers.has('Supported'), true);
  });

  it('OPTIONS to our own address is ours too', async () => {
    const ok = await ask(client, { method: 'OPTIONS', uri: `sip:127.0.0.1:${h.udpPort}` });
    assert.equal(ok.status, 200);
  });

  it('an unknown method gets 501 with Allow, not 405 (RFC 3261 §8.2.1, §21.5.2)', async () => {
    const answer = await ask(client, { method: 'FOOBAR', uri: `sip:alice@${DOMAIN}` });
    assert.equal(answer.status, 501);
    assert.ok(allowOf(answer.headers).includes('MESSAGE'));
  });

  it('SUBSCRIBE, PUBLISH and NOTIFY get 501 until a presence server is installed', async () => {
    for (const method of ['SUBSCRIBE', 'PUBLISH', 'NOTIFY']) {
      const answer = await ask(client, { method, uri: `sip:alice@${DOMAIN}`, headers: [['Event', 'presence']] });
      assert.equal(answer.status, 501, method);
    }
  });

  it('requests for a foreign domain get 404 and write nothing (RFC 3261 §21.4.5)', async () => {
    const head = await h.store.headPosition();
    const message = await ask(client, { method: 'MESSAGE', uri: 'sip:bob@elsewhere.example', headers: [['Content-Type', 'text/plain']], body: 'hi' });
    assert.equal(message.status, 404);
    const register = await ask(client, { method: 'REGISTER', uri: 'sip:elsewhere.example', to: '<sip:alice@elsewhere.example>' });
    assert.equal(register.status, 404);
    const options = await ask(client, { method: 'OPTIONS', uri: 'sip:elsewhere.example' });
    assert.equal(options.status, 404);
    assert.equal(await h.store.headPosition(), head);
  });

  it('INVITE, BYE and in-dialog requests reach the call router', async () => {
    const before = h.callRouter.received.length;
    const invite = await ask(client, { method: 'INVITE', uri: `sip:alice@${DOMAIN}` });
    assert.equal(invite.status, 488, 'the test router answers 488');
    const bye = await ask(client, { method: 'BYE', uri: 'sip:peer@127.0.0.1:5999', to: `<sip:alice@${DOMAIN}>;tag=${newTag()}` });
    assert.equal(bye.status, 488);
    const inDialogMessage = await ask(client, {
      method: 'MESSAGE',
      uri: 'sip:peer@127.0.0.1:5999',
      to: `<sip:alice@${DOMAIN}>;tag=${newTag()}`,
      headers: [['Content-Type', 'text/plain']],
      body: 'in a session',
    });
    assert.equal(inDialogMessage.status, 488);
    assert.deepEqual(
      h.callRouter.received.slice(before).map((m) => m.method),
      ['INVITE', 'BYE', 'MESSAGE'],
    );
  });

  it('a handler that throws leaves the client with a 500, not silence', async () => {
    h.callRouter.failing = true;
    try {
      const answer = await ask(client, { method: 'INVITE', uri: `sip:alice@${DOMAIN}` });
      assert.equal(answer.status, 500);
    } finally {
      h.callRouter.failing = false;
    }
  });

  it('REGISTER reaches the real registrar: 401, then 200 and endpoint.registered in the log', async () => {
    const tcp = await h.tcp();
    const { challenge, final } = await sendWithAuth(tcp, 'alice', { method: 'REGISTER', uri: `sip:${DOMAIN}`, to: `<sip:alice@${DOMAIN}>`, headers: [['Expires', '300']] });
    assert.equal(challenge.status, 401);
    assert.equal(final.status, 200);
    assert.match(final.headers.get('Contact') ?? '', new RegExp(`sip:peer@127\\.0\\.0\\.1:${tcp.port};transport=tcp>;expires=\\d+`));
    const events = await h.store.readStream(userStreamId(`sip:alice@${DOMAIN}`));
    const registered = events.filter((e) => e.type === 'endpoint.registered.v1');
    assert.equal(registered.length, 1);
    assert.equal(registered[0]?.type === 'endpoint.registered.v1' && registered[0].data.transport, 'tcp');
  });
});

describe('SIP front-end with a presence server, a registrar double and a tight rate limit', () => {
  let h: FrontEndHarness;
  const presence: string[] = [];
  const registers: RegisterTransaction[] = [];

  before(async () => {
    const registrar: RegisterHandler = {
      handle: (tx) => {
        registers.push(tx);
        tx.reply(200, 'OK (double)');
        return Promise.resolve();
      },
    };
    h = await startFrontEnd({
      settings: { rateLimit: { ratePerSecond: 0.01, burst: 5 } },
      extra: {
        registrar,
        presence: {
          handle: (r: InboundRequest) => {
            presence.push(r.message.method);
            r.reply(202, 'Accepted');
          },
        },
      },
    });
  });

  after(async () => {
    await h.close();
  });

  it('dispatches SUBSCRIBE to presence, REGISTER to the registrar given, and OPTIONS advertises presence', async () => {
    const client = await h.udp();
    const sub = await ask(client, { method: 'SUBSCRIBE', uri: `sip:bob@${DOMAIN}`, headers: [['Event', 'presence']] });
    assert.equal(sub.status, 202);
    assert.deepEqual(presence, ['SUBSCRIBE']);
    const reg = await ask(client, { method: 'REGISTER', uri: `sip:${DOMAIN}`, to: `<sip:bob@${DOMAIN}>` });
    assert.deepEqual([reg.status, reg.reason], [200, 'OK (double)']);
    assert.equal(registers.length, 1);
    assert.equal(registers[0]?.source.protocol, 'udp');
    assert.equal(registers[0]?.source.port, client.port);
    const options = await ask(client, { method: 'OPTIONS', uri: `sip:${DOMAIN}` });
    assert.ok(allowOf(options.headers).includes('SUBSCRIBE'));
    assert.match(options.headers.get('Accept') ?? '', /application\/pidf\+xml/);
  });

  it('the per-source rate limit is in front of everything: 503 with Retry-After once the burst is spent', async () => {
    const client = await h.tcp();
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 7 && !refused; i++) {
      const answer = await ask(client, { method: 'OPTIONS', uri: `sip:${DOMAIN}` });
      statuses.push(answer.status);
      if (answer.status === 503) refused = answer;
    }
    // The first test spent three tokens of the same source address (127.0.0.1): two more pass.
    assert.deepEqual(statuses, [200, 200, 503]);
    assert.ok(Number(refused?.headers.get('Retry-After')) >= 1);
    assert.ok(h.frontEnd.rateLimited >= 1);
  });

  it('close cascades and is idempotent: handlers closed, engine closed, no answers any more', async () => {
    const client = await h.udp();
    await Promise.all([h.frontEnd.close(), h.frontEnd.close()]);
    assert.equal(h.callRouter.closed, true);
    client.send(request(client, { method: 'OPTIONS', uri: `sip:${DOMAIN}` }));
    await settle();
    assert.deepEqual(client.inbox.all, []);
  });
});
