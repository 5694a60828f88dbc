import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Headers, EMPTY_BODY } from '../../../src/realtime/sip/message.ts';
import { parseContacts } from '../../../src/realtime/sip/name-addr.ts';
import { getParam } from '../../../src/realtime/sip/grammar.ts';
import { formatUri, parseUri } from '../../../src/realtime/sip/uri.ts';
import type { SipResponse } from '../../../src/realtime/sip/message.ts';
import { readChallenge } from '../../support/sip-digest-client.ts';
import { DOMAIN, startHarness, TestClient, type Harness } from './registrar-harness.ts';

/** Contact URI → expires, as the 200 OK lists them. */
function contactsOf(response: SipResponse): Map<string, number> {
  const parsed = parseContacts(response.headers.getAll('Contact'));
  assert.ok(parsed.ok, 'the 200 OK Contacts parse');
  const out = new Map<string, number>();
  for (const c of parsed.value) if (c.kind === 'address') out.set(formatUri(c.uri), Number(getParam(c.params, 'expires')));
  return out;
}

describe('registrar over UDP and TCP (embedded engine, PGlite log)', () => {
  let h: Harness;
  before(async () => {
    // Small burst, slow refill: the flood test below trips it; every other test uses its own source address.
    h = await startHarness({ limiter: { burst: 40, ratePerSecond: 0.5 } });
    await h.provision('alice', { maxEndpoints: 2 });
    await h.provision('carol');
  });
  after(async () => h.close());

  it('challenges, then registers over UDP: 200 lists the contact, endpoint.registered.v1 is in the log', async () => {
    const client = await TestClient.open('udp', h.port('udp'));
    try {
      const contact = `sip:alice@127.0.0.1:${client.localPort};transport=udp`;
      client.register({ user: 'alice', callId: 'udp-1', cseq: 1, contacts: [`<${contact}>`] });
      const challenge = await client.inbox.response();
      assert.equal(challenge.status, 401);
      const algorithms = challenge.headers.getAll('WWW-Authenticate').map((v) => readChallenge(v).algorithm);
      assert.deepEqual(algorithms, ['SHA-256', 'MD5']);
      assert.deepEqual(await h.events('alice').then((e) => e.filter((x) => x.type.startsWith('endpoint.'))), [], 'a challenge writes nothing');

      const ok = await client.registerWithAuth({ user: 'alice', callId: 'udp-1', cseq: 2, contacts: [`<${contact}>`] });
      assert.equal(ok.status, 200);
      assert.deepEqual([...contactsOf(ok)], [[contact, 3600]]);
      assert.ok(ok.headers.get('Date'));
      const registered = (await h.events('alice')).filter((e) => e.type === 'endpoint.registered.v1');
      assert.equal(registered.length, 1);
      const data = registered[0]?.type === 'endpoint.registered.v1' ? registered[0].data : assert.fail();
      assert.equal(data.contact, contact);
      assert.equal(data.transport, 'udp');
      assert.equal(data.sourceAddress, `127.0.0.1:${client.localPort}`);
      assert.equal(data.userAgent, 'chorus-test');
      assert.equal(h.registrar.flows.flowOf(data.endpointId)?.flowId, `udp:127.0.0.1:${client.localPort}`);

      // Refresh: the same binding, a new expiry.
      const again = await client.registerWithAuth({ user: 'alice', callId: 'udp-1', cseq: 4, contacts: [`<${contact}>;expires=600`] });
      assert.equal(again.status, 200);
      assert.deepEqual([...contactsOf(again)], [[contact, 600]]);
      const refreshed = (await h.events('alice')).filter((e) => e.type === 'endpoint.refreshed.v1');
      assert.equal(refreshed.length, 1);
      assert.equal(refreshed[0]?.type === 'endpoint.refreshed.v1' ? refreshed[0].data.endpointId : '', data.endpointId);
    } finally {
      client.close();
    }
  });

  it('registers over TCP next to the UDP binding, and a request to that binding reuses the connection', async () => {
    const client = await TestClient.open('tcp', h.port('tcp'), '127.0.0.5');
    try {
      const contact = `sip:alice@127.0.0.5:${client.localPort};transport=tcp`;
      const ok = await client.registerWithAuth({ user: 'alice', callId: 'tcp-1', cseq: 1, contacts: [`<${contact}>;+sip.instance="<urn:uuid:00000000-0000-0000-0000-000000000001>";reg-id=1;q=0.5`] });
      assert.equal(ok.status, 200);
      const listed = contactsOf(ok);
      assert.equal(listed.size, 2, 'both bindings are listed');
      assert.equal(listed.get(contact), 3600);
      const tcpContact = parseContacts(ok.headers.getAll('Contact'));
      assert.ok(tcpContact.ok);
      const mine = tcpContact.value.find((c) => c.kind === 'address' && formatUri(c.uri) === contact);
      assert.ok(mine && mine.kind === 'address');
      assert.equal(getParam(mine.params, '+sip.instance'), '"<urn:uuid:00000000-0000-0000-0000-000000000001>"');
      assert.equal(getParam(mine.params, 'reg-id'), '1');
      assert.equal(getParam(mine.params, 'q'), '0.5');

      const registered = (await h.events('alice')).filter((e) => e.type === 'endpoint.registered.v1');
      const event = registered.find((e) => e.type === 'endpoint.registered.v1' && e.data.transport === 'tcp');
      const data = event?.type === 'endpoint.registered.v1' ? event.data : assert.fail('no tcp registration');
      assert.equal(data.instanceId, '<urn:uuid:00000000-0000-0000-0000-000000000001>');
      assert.equal(data.sourceAddress, `127.0.0.5:${client.localPort}`);
      const flow = h.registrar.flows.flowOf(data.endpointId) ?? assert.fail('no flow recorded');
      assert.match(flow.flowId, /^tcp:/);

      // An OPTIONS to the contact over the recorded flow arrives on the client's own connection.
      const uri = parseUri(contact);
      assert.ok(uri.ok);
      const sent = h.engine.sendRequest(
        {
          method: 'OPTIONS',
          uri: uri.value,
          headers: Headers.of([
            ['From', `<sip:registrar@${DOMAIN}>;tag=r1`],
            ['To', `<${contact}>`],
            ['Call-ID', 'options-over-flow'],
            ['CSeq', '1 OPTIONS'],
          ]),
          body: EMPTY_BODY,
        },
        { destination: { flowId: flow.flowId } },
      );
      const incoming = await client.inbox.next();
      assert.equal(incoming.kind, 'request');
      assert.equal(incoming.kind === 'request' ? incoming.method : '', 'OPTIONS');
      void sent.outcome;
    } finally {
      client.close();
    }
  });

  it('refuses a third device with 403 (endpoint limit 2) and writes nothing', async () => {
    const client = await TestClient.open('udp', h.port('udp'), '127.0.0.6');
    try {
      const before = (await h.events('alice')).length;
      const res = await client.registerWithAuth({ user: 'alice', callId: 'udp-3', cseq: 1, contacts: [`<sip:alice@127.0.0.6:${client.localPort}>`] });
      assert.equal(res.status, 403);
      assert.match(res.headers.get('Warning') ?? '', /limit 2/);
      assert.equal((await h.events('alice')).length, before);
    } finally {
      client.close();
    }
  });

  it('unregisters one contact with expires=0: endpoint.unregistered.v1, the other binding stays', async () => {
    const client = await TestClient.open('udp', h.port('udp'), '127.0.0.7');
    try {
      const registered = (await h.events('alice')).find((e) => e.type === 'endpoint.registered.v1' && e.data.transport === 'udp');
      const contact = registered?.type === 'endpoint.registered.v1' ? registered.data.contact : assert.fail();
      const res = await client.registerWithAuth({ user: 'alice', callId: 'udp-4', cseq: 1, contacts: [`<${contact}>;expires=0`] });
      assert.equal(res.status, 200);
      const listed = contactsOf(res);
      assert.equal(listed.size, 1);
      assert.equal(listed.has(contact), false);
      const unregistered = (await h.events('alice')).filter((e) => e.type === 'endpoint.unregistered.v1');
      assert.deepEqual(unregistered.map((e) => (e.type === 'endpoint.unregistered.v1' ? e.data.contact : '')), [contact]);
    } finally {
      client.close();
    }
  });

  it('answers a wrong password with a new 401 and writes nothing', async () => {
    const client = await TestClient.open('udp', h.port('udp'), '127.0.0.8');
    try {
      const before = (await h.events('carol')).length;
      const res = await client.registerWithAuth({ user: 'carol', callId: 'bad-1', cseq: 1, contacts: [`<sip:carol@127.0.0.8:${client.localPort}>`], password: 'guess' });
      assert.equal(res.status, 401);
      assert.equal(readChallenge(res.headers.get('WWW-Authenticate') ?? '').stale, false);
      assert.equal((await h.events('carol')).length, before);
    } finally {
      client.close();
    }
  });

  it('answers an expiry under the minimum with 423 and Min-Expires, writing nothing', async () => {
    const client = await TestClient.open('tcp', h.port('tcp'), '127.0.0.9');
    try {
      const before = (await h.events('carol')).length;
      const res = await client.registerWithAuth({ user: 'carol', callId: 'brief-1', cseq: 1, contacts: [`<sip:carol@127.0.0.9:${client.localPort};transport=tcp>`], expires: 10 });
      assert.equal(res.status, 423);
      assert.equal(res.headers.get('Min-Expires'), '60');
      assert.equal((await h.events('carol')).length, before);
    } finally {
      client.close();
    }
  });

  it('removes every binding with Contact: * and Expires: 0, and refuses * without Expires: 0', async () => {
    const client = await TestClient.open('tcp', h.port('tcp'), '127.0.0.10');
    try {
      const reg = await client.registerWithAuth({ user: 'carol', callId: 'star-1', cseq: 1, contacts: [`<sip:carol@127.0.0.10:${client.localPort};transport=tcp>`] });
      assert.equal(reg.status, 200);
      const bad = await client.registerWithAuth({ user: 'carol', callId: 'star-1', cseq: 3, contacts: ['*'], expires: 30 });
      assert.equal(bad.status, 400);
      const res = await client.registerWithAuth({ user: 'carol', callId: 'star-1', cseq: 5, contacts: ['*'], expires: 0 });
      assert.equal(res.status, 200);
      assert.equal(res.headers.getAll('Contact').length, 0);
      const types = (await h.events('carol')).map((e) => e.type).filter((t) => t.startsWith('endpoint.'));
      assert.deepEqual(types, ['endpoint.registered.v1', 'endpoint.unregistered.v1']);
    } finally {
      client.close();
    }
  });

  it('rate-limits a REGISTER flood from one source (one 503 with Retry-After, then silence) while another source still registers', async () => {
    const flooder = await TestClient.open('udp', h.port('udp'), '127.0.0.3');
    const honest = await TestClient.open('udp', h.port('udp'), '127.0.0.4');
    try {
      const FLOOD = 120;
      for (let i = 0; i < FLOOD; i++) flooder.register({ user: 'carol', callId: `flood-${i}`, cseq: 1, contacts: [`<sip:carol@127.0.0.3:${flooder.localPort}>`] });
      const ok = await honest.registerWithAuth({ user: 'carol', callId: 'honest-1', cseq: 1, contacts: [`<sip:carol@127.0.0.4:${honest.localPort}>`] });
      assert.equal(ok.status, 200, 'the other source is not limited');
      // Loopback UDP into one socket is FIFO: the flood was handled before the honest REGISTERs.
      const answers: SipResponse[] = [];
      while (flooder.inbox.pending > 0) answers.push(await flooder.inbox.response());
      const challenges = answers.filter((r) => r.status === 401).length;
      const refusals = answers.filter((r) => r.status === 503);
      assert.ok(challenges >= 40 && challenges <= 42, `the burst (40) was served, got ${challenges}`);
      assert.ok(refusals.length >= 1 && refusals.length <= 2, `one 503 per refusal streak, got ${refusals.length}`);
      for (const r of refusals) assert.match(r.headers.get('Retry-After') ?? '', /^[1-9][0-9]*$/);
      assert.ok(answers.length < FLOOD, 'the rest of the flood was dropped');
      assert.ok(h.gate.refused >= FLOOD - 42);
    } finally {
      flooder.close();
      honest.close();
    }
  });
});
