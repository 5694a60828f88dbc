import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { EMPTY_BODY, Headers } from '../../../src/realtime/sip/message.ts';
import { parseUri } from '../../../src/realtime/sip/uri.ts';
import { parseVia } from '../../../src/realtime/sip/via.ts';
import { readChallenge } from '../../support/sip-digest-client.ts';
import { DOMAIN, startHarness, TestClient, type Harness } from './registrar-harness.ts';

describe('SIP over WebSocket (RFC 7118) into the registrar', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ listen: ['ws'] });
    await h.provision('dave');
  });
  after(async () => h.close());

  it('challenges a REGISTER sent over a ws client, in a text frame on the same connection', async () => {
    const client = await TestClient.open('ws', h.port('ws'));
    try {
      client.register({ user: 'dave', callId: 'ws-1', cseq: 1, contacts: ['<sip:dave@df7jal23ls0d.invalid;transport=ws>'] });
      const res = await client.inbox.response();
      assert.equal(res.status, 401);
      assert.deepEqual(res.headers.getAll('WWW-Authenticate').map((v) => readChallenge(v).algorithm), ['SHA-256', 'MD5']);
      const via = parseVia(res.headers.get('Via') ?? '');
      assert.ok(via.ok);
      assert.equal(via.value[0]?.transport, 'WS');
    } finally {
      client.close();
    }
  });

  it('registers over ws (transport ws in the log) and reaches the client back over its flow', async () => {
    const client = await TestClient.open('ws', h.port('ws'));
    try {
      const contact = 'sip:dave@df7jal23ls0d.invalid;transport=ws';
      const ok = await client.registerWithAuth({ user: 'dave', callId: 'ws-2', cseq: 1, contacts: [`<${contact}>`] });
      assert.equal(ok.status, 200);
      const event = (await h.events('dave')).find((e) => e.type === 'endpoint.registered.v1');
      const data = event?.type === 'endpoint.registered.v1' ? event.data : assert.fail('no registration');
      assert.equal(data.transport, 'ws');
      assert.equal(data.contact, contact);
      const flow = h.registrar.flows.flowOf(data.endpointId) ?? assert.fail('no flow');
      assert.match(flow.flowId, /^ws:/);

      // The contact's host (.invalid) cannot be reached: only the flow can carry a request to it.
      const uri = parseUri(contact);
      assert.ok(uri.ok);
      h.engine.sendRequest(
        {
          method: 'OPTIONS',
          uri: uri.value,
          headers: Headers.of([
            ['From', `<sip:registrar@${DOMAIN}>;tag=w1`],
            ['To', `<${contact}>`],
            ['Call-ID', 'ws-options'],
            ['CSeq', '1 OPTIONS'],
          ]),
          body: EMPTY_BODY,
        },
        { destination: { flowId: flow.flowId } },
      );
      const incoming = await client.inbox.next();
      assert.equal(incoming.kind === 'request' ? incoming.method : incoming.kind, 'OPTIONS');
      const via = parseVia(incoming.headers.get('Via') ?? '');
      assert.equal(via.ok ? via.value[0]?.transport : '', 'WS');
    } finally {
      client.close();
    }
  });

  it('closes a connection that does not negotiate the sip subprotocol', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${h.port('ws')}`);
    const code = await new Promise<number>((resolve, reject) => {
      socket.once('close', (c) => resolve(c));
      socket.once('error', reject);
    });
    assert.equal(code, 1002);
  });
});
