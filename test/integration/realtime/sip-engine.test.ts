import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { getParam } from '../../../src/realtime/sip/grammar.ts';
import { EMPTY_BODY, Headers, type SipMessage, type SipRequest, type SipResponse } from '../../../src/realtime/sip/message.ts';
import { parseNameAddr } from '../../../src/realtime/sip/name-addr.ts';
import { parseMessage } from '../../../src/realtime/sip/parser.ts';
import { serializeMessage } from '../../../src/realtime/sip/serializer.ts';
import { createSipEngine, type IncomingRequest, type SipEngine } from '../../../src/realtime/sip/sip-engine.ts';
import { StreamFramer } from '../../../src/realtime/sip/transport/stream-framer.ts';
import { parseUri } from '../../../src/realtime/sip/uri.ts';
import { parseVia } from '../../../src/realtime/sip/via.ts';
import { TORTURE_CASES, type EngineOutcome } from '../../fixtures/rfc4475/outcomes.ts';

const silent = pino({ level: 'silent' });
/** Short T1 so the full timer paths (G, H, J, L, the CANCEL guard) run in well under a second each. */
const TIMERS = { t1: 40, t2: 160, t4: 200, timerD: 400, cancelGuard: 300 };
/** A safety net for waits, not a timing assertion: a correct engine answers in milliseconds. */
const WAIT_MS = 5000;

type Received = { kind: 'message'; message: SipMessage } | { kind: 'closed' };

/** Queue of what a test client receives, awaited one item at a time. */
class Inbox {
  readonly #items: Received[] = [];
  readonly #waiters: Array<(r: Received) => void> = [];

  push(item: Received): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(what = 'a message'): Promise<Received> {
    const item = this.#items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
      this.#waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  async nextMessage(what?: string): Promise<SipMessage> {
    const r = await this.next(what);
    if (r.kind !== 'message') assert.fail(`connection closed while waiting for ${what ?? 'a message'}`);
    return r.message;
  }

  async nextResponse(predicate: (r: SipResponse) => boolean = () => true): Promise<SipResponse> {
    for (;;) {
      const m = await this.nextMessage('a response');
      if (m.kind === 'response' && predicate(m)) return m;
    }
  }
}

function parseAny(data: Buffer): SipMessage {
  const r = parseMessage(data, { mode: 'datagram', maxMessageSize: 1 << 20 });
  if (!r.ok) assert.fail(`engine sent something unparseable: ${r.error.reason}`);
  return r.value;
}

class UdpClient {
  readonly inbox = new Inbox();
  readonly #socket = dgram.createSocket('udp4');
  port = 0;

  async open(): Promise<this> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.port = this.#socket.address().port;
    this.#socket.on('message', (data) => this.inbox.push({ kind: 'message', message: parseAny(data) }));
    return this;
  }

  send(data: Buffer | string, port: number): void {
    this.#socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1');
  }

  close(): void {
    this.#socket.close();
  }
}

class StreamClient {
  readonly inbox = new Inbox();
  readonly #framer = new StreamFramer(1 << 20);
  readonly closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const unit of this.#framer.push(chunk)) if (unit.kind === 'message') this.inbox.push({ kind: 'message', message: parseAny(unit.data) });
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.inbox.push({ kind: 'closed' });
      resolve();
    }));
  }

  static async tcp(port: number): Promise<StreamClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return new StreamClient(socket);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }
}

let seq = 0;
function request(method: string, via: string, extra: string[] = [], body = ''): { text: string; callId: string; branch: string } {
  const n = ++seq;
  const branch = `z9hG4bKtest${n}`;
  const callId = `call-${n}@test`;
  const text =
    `${method} sip:service@127.0.0.1 SIP/2.0\r\n` +
    `Via: ${via.replace('{branch}', branch)}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:alice@example.test>;tag=a${n}\r\nTo: <sip:service@example.test>\r\n` +
    `Call-ID: ${callId}\r\nCSeq: ${n} ${method}\r\n` +
    extra.map((h) => `${h}\r\n`).join('') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return { text, callId, branch };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not reached within ${WAIT_MS} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function port(engine: SipEngine, protocol: 'udp' | 'tcp' | 'tls'): number {
  const l = engine.listening.find((x) => x.protocol === protocol);
  assert.ok(l, `engine listens on ${protocol}`);
  return l.port;
}

describe('SIP engine over real sockets', () => {
  let engine: SipEngine;
  let handle: (req: IncomingRequest) => void = (req) => void req.reply(200);
  let udp: number;
  let tcp: number;

  before(async () => {
    engine = await createSipEngine({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
      ],
      timers: TIMERS,
      maxMessageSize: 4096,
      logger: silent,
      serverHeader: 'Chorus-Test',
    });
    engine.onRequest((req) => handle(req));
    udp = port(engine, 'udp');
    tcp = port(engine, 'tcp');
  });

  after(async () => {
    await engine.close();
    await engine.close(); // idempotent
  });

  it('answers a UDP request at the rport/received of its Via, with a To tag and the request identifiers', async () => {
    const client = await new UdpClient().open();
    let seen: IncomingRequest | undefined;
    handle = (req) => {
      seen = req;
      req.reply(200, undefined, { headers: [['Allow', 'INVITE, ACK, CANCEL, OPTIONS']] });
    };
    // sent-by names a host that is not the source: received is added; rport asks for the source port.
    const r = request('OPTIONS', `SIP/2.0/UDP client.invalid:9;branch={branch};rport`);
    client.send(r.text, udp);
    const res = await client.inbox.nextResponse();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Call-ID'), r.callId);
    assert.equal(res.headers.get('Allow'), 'INVITE, ACK, CANCEL, OPTIONS');
    assert.equal(res.headers.get('Server'), 'Chorus-Test');
    const via = parseVia(res.headers.get('Via') ?? '');
    assert.ok(via.ok && via.value[0]);
    assert.equal(getParam(via.value[0].params, 'received'), '127.0.0.1');
    assert.equal(getParam(via.value[0].params, 'rport'), String(client.port));
    const to = parseNameAddr(res.headers.get('To') ?? '');
    assert.ok(to.ok);
    assert.equal(getParam(to.value.params, 'tag'), seen?.toTag);
    assert.equal(seen?.source.protocol, 'udp');
    assert.equal(seen?.source.port, client.port);
    assert.equal(seen?.core.cseq.method, 'OPTIONS');
    client.close();
  });

  it('without rport, answers at the Via sent-by port', async () => {
    const listener = await new UdpClient().open();
    const sender = await new UdpClient().open();
    handle = (req) => void req.reply(200);
    const r = request('OPTIONS', `SIP/2.0/UDP 127.0.0.1:${listener.port};branch={branch}`);
    sender.send(r.text, udp);
    const res = await listener.inbox.nextResponse();
    assert.equal(res.headers.get('Call-ID'), r.callId);
    listener.close();
    sender.close();
  });

  it('absorbs a retransmitted request in its server transaction: the handler runs once, the response is resent', async () => {
    const client = await new UdpClient().open();
    let calls = 0;
    handle = (req) => {
      calls++;
      req.reply(202);
    };
    const r = request('MESSAGE', `SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`, ['Content-Type: text/plain'], 'hi');
    client.send(r.text, udp);
    assert.equal((await client.inbox.nextResponse()).status, 202);
    client.send(r.text, udp);
    assert.equal((await client.inbox.nextResponse()).status, 202);
    assert.equal(calls, 1);
    client.close();
  });

  it('INVITE rejected: 100 at once, the 486 retransmitted on Timer G until the ACK, then the transaction is gone', async () => {
    const client = await new UdpClient().open();
    handle = (req) => void req.reply(486);
    const via = `SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`;
    const r = request('INVITE', via);
    client.send(r.text, udp);
    assert.equal((await client.inbox.nextResponse()).status, 100);
    const first = await client.inbox.nextResponse();
    assert.equal(first.status, 486);
    assert.equal((await client.inbox.nextResponse()).status, 486, 'retransmitted on Timer G');
    const ack =
      `ACK sip:service@127.0.0.1 SIP/2.0\r\nVia: ${via.replace('{branch}', r.branch)}\r\nMax-Forwards: 70\r\n` +
      `From: <sip:alice@example.test>;tag=a${seq}\r\nTo: ${first.headers.get('To') ?? ''}\r\nCall-ID: ${r.callId}\r\nCSeq: ${seq} ACK\r\nContent-Length: 0\r\n\r\n`;
    client.send(ack, udp);
    await eventually(() => engine.stats().serverTransactions === 0, 'the INVITE transaction ends after the ACK');
    client.close();
  });

  it('CANCEL: answered 200, the handler told, its 487 sent; an unknown CANCEL gets 481', async () => {
    const client = await new UdpClient().open();
    let cancelled = false;
    handle = (req) => {
      if (req.request.method !== 'INVITE') return void req.reply(200);
      req.onCancel(() => {
        cancelled = true;
        req.reply(487);
      });
    };
    const via = `SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`;
    const r = request('INVITE', via);
    client.send(r.text, udp);
    assert.equal((await client.inbox.nextResponse()).status, 100);
    client.send(r.text.replace(/^INVITE/, 'CANCEL').replace(/CSeq: (\d+) INVITE/, 'CSeq: $1 CANCEL'), udp);
    const statuses = [(await client.inbox.nextResponse()).status, (await client.inbox.nextResponse()).status].sort();
    assert.deepEqual(statuses, [200, 487]);
    assert.equal(cancelled, true);
    const stray = request('CANCEL', via);
    client.send(stray.text, udp);
    assert.equal((await client.inbox.nextResponse((x) => x.headers.get('Call-ID') === stray.callId)).status, 481);
    client.close();
  });

  it('a CANCEL the handler ignores still ends in a 487 and no leaked transaction', async () => {
    const client = await new UdpClient().open();
    handle = () => undefined; // a handler that never answers
    const via = `SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`;
    const r = request('INVITE', via);
    client.send(r.text, udp);
    assert.equal((await client.inbox.nextResponse()).status, 100);
    client.send(r.text.replace(/^INVITE/, 'CANCEL').replace(/CSeq: (\d+) INVITE/, 'CSeq: $1 CANCEL'), udp);
    assert.equal((await client.inbox.nextResponse()).status, 200);
    assert.equal((await client.inbox.nextResponse()).status, 487, 'sent by the engine after the CANCEL guard');
    // No ACK: Timer H (64×T1) must still destroy it, and the CANCEL's own transaction ends on Timer J.
    await eventually(() => engine.stats().serverTransactions === 0, 'every server transaction destroyed by its timers');
    client.close();
  });

  it('rejects bad requests with the RFC 3261 §8.2 status and a reason naming the problem', async () => {
    const client = await new UdpClient().open();
    handle = (req) => void req.reply(200);
    const via = `SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`;
    const noMaxForwards = request('OPTIONS', via).text.replace('Max-Forwards: 70\r\n', '');
    client.send(noMaxForwards, udp);
    const a = await client.inbox.nextResponse();
    assert.deepEqual([a.status, a.reason], [400, 'Missing Max-Forwards Header']);
    client.send(request('INVITE', via).text.replace('Max-Forwards: 70', 'Max-Forwards: 0'), udp);
    assert.equal((await client.inbox.nextResponse()).status, 483);
    client.send(request('OPTIONS', via).text.replace(/CSeq: (\d+) OPTIONS/, 'CSeq: $1 INFO'), udp);
    const c = await client.inbox.nextResponse();
    assert.deepEqual([c.status, c.reason], [400, 'CSeq Method Does Not Match Request Method']);
    client.send(request('OPTIONS', via, ['Require: 100rel']).text, udp);
    const d = await client.inbox.nextResponse();
    assert.deepEqual([d.status, d.headers.get('Unsupported')], [420, '100rel']);
    client.close();
  });

  it('answers an oversized request with 513 (UDP) and 513 then close (TCP)', async () => {
    const client = await new UdpClient().open();
    const big = request('MESSAGE', `SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`, ['Content-Type: text/plain'], 'x'.repeat(5000));
    client.send(big.text, udp);
    assert.equal((await client.inbox.nextResponse()).status, 513);
    client.close();
    const stream = await StreamClient.tcp(tcp);
    stream.write(request('MESSAGE', `SIP/2.0/TCP 127.0.0.1:${stream.localPort};branch={branch}`, [], 'x'.repeat(5000)).text);
    assert.equal((await stream.inbox.nextResponse()).status, 513);
    await stream.closed;
  });

  it('frames TCP: two messages in one chunk, and one message split across chunks', async () => {
    handle = (req) => void req.reply(200);
    const stream = await StreamClient.tcp(tcp);
    const via = `SIP/2.0/TCP 127.0.0.1:${stream.localPort};branch={branch}`;
    const one = request('OPTIONS', via);
    const two = request('MESSAGE', via, ['Content-Type: text/plain'], 'body with\r\n\r\nblank lines');
    stream.write(one.text + two.text);
    const got = [await stream.inbox.nextResponse(), await stream.inbox.nextResponse()].map((r) => r.headers.get('Call-ID'));
    assert.deepEqual(got, [one.callId, two.callId]);
    const split = Buffer.from(request('MESSAGE', via, ['Content-Type: text/plain'], 'split body').text);
    for (const cut of [[0, 7], [7, 60], [60, split.length - 3], [split.length - 3, split.length]]) {
      stream.write(split.subarray(cut[0], cut[1]));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal((await stream.inbox.nextResponse()).status, 200);
    stream.close();
  });

  it('reuses the connection a client registered on for a later request to its flow', async () => {
    let flowId: string | undefined;
    handle = (req) => {
      flowId = req.source.flowId;
      req.reply(200);
    };
    const stream = await StreamClient.tcp(tcp);
    stream.write(request('REGISTER', `SIP/2.0/TCP 127.0.0.1:${stream.localPort};branch={branch}`).text);
    assert.equal((await stream.inbox.nextResponse()).status, 200);
    if (flowId === undefined) return assert.fail('the REGISTER reached the handler');
    assert.ok(flowId.startsWith('tcp:'));
    const registeredFlow = flowId;
    const connectionsBefore = engine.stats().connections;

    const uri = parseUri(`sip:alice@127.0.0.1:${stream.localPort};transport=tcp`);
    assert.ok(uri.ok);
    const outgoing = engine.sendRequest(
      {
        method: 'MESSAGE',
        uri: uri.value,
        headers: Headers.of([
          ['From', '<sip:service@example.test>;tag=srv1'],
          ['To', '<sip:alice@example.test>'],
          ['Call-ID', 'reuse-1@test'],
          ['CSeq', '1 MESSAGE'],
          ['Content-Type', 'text/plain'],
        ]),
        body: Buffer.from('over the registered flow'),
      },
      { destination: { flowId: registeredFlow } },
    );
    const incoming = await stream.inbox.nextMessage('the MESSAGE');
    assert.equal(incoming.kind, 'request');
    const msg = incoming as SipRequest;
    assert.equal(msg.method, 'MESSAGE');
    assert.equal(msg.body.toString(), 'over the registered flow');
    assert.equal(engine.stats().connections, connectionsBefore, 'no new connection was opened');
    const reply: SipResponse = {
      kind: 'response',
      version: 'SIP/2.0',
      status: 200,
      reason: 'OK',
      headers: Headers.of(['Via', 'From', 'To', 'Call-ID', 'CSeq'].map((n) => [n, msg.headers.get(n) ?? ''] as const)),
      body: EMPTY_BODY,
    };
    stream.write(serializeMessage(reply));
    const outcome = await outgoing.outcome;
    assert.equal(outcome.kind, 'final');
    assert.equal(outcome.kind === 'final' ? outcome.response.status : 0, 200);
    stream.close();
  });

  it('client transaction over UDP: retransmits until answered, and times out when never answered', async () => {
    const peer = await new UdpClient().open();
    const uri = parseUri(`sip:bob@127.0.0.1:${peer.port}`);
    assert.ok(uri.ok);
    const build = (callId: string) => ({
      method: 'OPTIONS',
      uri: uri.value,
      headers: Headers.of([
        ['From', '<sip:service@example.test>;tag=srv2'],
        ['To', '<sip:bob@example.test>'],
        ['Call-ID', callId],
        ['CSeq', '1 OPTIONS'],
      ]),
      body: EMPTY_BODY,
    });
    const answered = engine.sendRequest(build('client-1@test'), { destination: { protocol: 'udp', address: '127.0.0.1', port: peer.port } });
    const firstCopy = (await peer.inbox.nextMessage()) as SipRequest;
    const secondCopy = (await peer.inbox.nextMessage('a Timer E retransmission')) as SipRequest;
    assert.equal(secondCopy.headers.get('Via'), firstCopy.headers.get('Via'));
    const res: SipResponse = {
      kind: 'response',
      version: 'SIP/2.0',
      status: 200,
      reason: 'OK',
      headers: Headers.of(['Via', 'From', 'To', 'Call-ID', 'CSeq'].map((n) => [n, firstCopy.headers.get(n) ?? ''] as const)),
      body: EMPTY_BODY,
    };
    peer.send(serializeMessage(res), udp);
    const outcome = await answered.outcome;
    assert.equal(outcome.kind === 'final' ? outcome.response.status : outcome.kind, 200);

    const ignored = engine.sendRequest(build('client-2@test'), { destination: { protocol: 'udp', address: '127.0.0.1', port: peer.port } });
    assert.deepEqual(await ignored.outcome, { kind: 'timeout' });
    await eventually(() => engine.stats().clientTransactions === 0, 'client transactions destroyed');
    peer.close();
  });
});

describe('RFC 4475 torture messages against a running engine', () => {
  // A fresh engine per message: the RFC reuses branches (z9hG4bKkdjuw with the same
  // sent-by and method in several messages), and a reused branch rightly matches the
  // previous message's still-live transaction (RFC 3261 §17.2.3).
  const delivered = new Set<string>();

  async function withEngine(protocol: 'udp' | 'tcp', run: (port: number) => Promise<void>): Promise<void> {
    const engine = await createSipEngine({
      listen: [{ protocol, host: '127.0.0.1', port: 0 }],
      timers: TIMERS,
      // The torture Vias name hosts that do not exist: answer where the packets came from.
      forceRport: true,
      incompleteMessageTimeoutMs: 300,
      logger: silent,
    });
    engine.onRequest((req) => {
      delivered.add(req.core.callId);
      req.reply(200);
    });
    try {
      await run(port(engine, protocol));
    } finally {
      await engine.close();
    }
  }

  function marker(via: string): { text: string; callId: string } {
    return request('OPTIONS', via);
  }

  /** What the client saw for the torture message: first final not for the marker, the marker's answer, or a close. */
  async function observe(inbox: Inbox, markerCallId: string | undefined): Promise<EngineOutcome | { status: number }> {
    for (;;) {
      const item = await inbox.next('an answer to the torture message or the marker');
      if (item.kind === 'closed') return 'close';
      const m = item.message;
      if (m.kind !== 'response') continue;
      if (m.headers.get('Call-ID') === markerCallId) return 'drop';
      if (m.status >= 200) return { status: m.status };
    }
  }

  function callIdOf(data: Buffer): string | undefined {
    return /\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]+)/i.exec(data.toString('latin1'))?.[1]?.trim();
  }

  function check(name: string, expected: EngineOutcome, seen: EngineOutcome | { status: number }, data: Buffer): void {
    const callId = callIdOf(data);
    if (expected === 'handler') {
      assert.deepEqual(seen, { status: 200 }, name);
      assert.ok(callId !== undefined && delivered.has(callId), `${name} reached the handler`);
    } else if (typeof expected === 'object') {
      assert.deepEqual(seen, { status: expected.reject }, name);
      assert.ok(callId === undefined || !delivered.has(callId), `${name} must not reach the handler`);
    } else {
      assert.equal(seen, expected, name);
    }
  }

  for (const c of TORTURE_CASES) {
    it(`${c.name} over UDP → ${JSON.stringify(c.udp)}`, async () => {
      const data = readFileSync(new URL(`../../fixtures/rfc4475/${c.name}.dat`, import.meta.url));
      await withEngine('udp', async (udp) => {
        const client = await new UdpClient().open();
        client.send(data, udp);
        // The engine keeps serving: the marker OPTIONS after every message is answered.
        const m = marker(`SIP/2.0/UDP 127.0.0.1:${client.port};branch={branch};rport`);
        client.send(m.text, udp);
        check(c.name, c.udp, await observe(client.inbox, m.callId), data);
        if (c.udp !== 'drop') assert.equal((await client.inbox.nextResponse((r) => r.headers.get('Call-ID') === m.callId)).status, 200);
        client.close();
      });
    });

    it(`${c.name} over TCP → ${JSON.stringify(c.tcp)}`, async () => {
      const data = readFileSync(new URL(`../../fixtures/rfc4475/${c.name}.dat`, import.meta.url));
      await withEngine('tcp', async (tcp) => {
        const stream = await StreamClient.tcp(tcp);
        stream.write(data);
        let markerCallId: string | undefined;
        if (c.tcp !== 'close') {
          const m = marker(`SIP/2.0/TCP 127.0.0.1:${stream.localPort};branch={branch}`);
          markerCallId = m.callId;
          stream.write(m.text);
        }
        check(c.name, c.tcp, await observe(stream.inbox, markerCallId), data);
        stream.close();
        // Whatever this message did to its connection, a new one is served.
        const fresh = await StreamClient.tcp(tcp);
        fresh.write(marker(`SIP/2.0/TCP 127.0.0.1:${fresh.localPort};branch={branch}`).text);
        assert.equal((await fresh.inbox.nextResponse()).status, 200);
        fresh.close();
      });
    });
  }

});

describe('SIP over TLS', () => {
  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it('answers OPTIONS over a TLS connection', { skip: haveOpenssl ? false : 'openssl CLI not installed: cannot make a test certificate' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-sip-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'],
        { stdio: 'ignore' },
      );
      const engine = await createSipEngine({
        listen: [
          {
            protocol: 'tls',
            host: '127.0.0.1',
            port: 0,
            cert: readFileSync(join(dir, 'cert.pem')),
            key: readFileSync(join(dir, 'key.pem')),
          },
        ],
        timers: TIMERS,
        logger: silent,
      });
      engine.onRequest((req) => void req.reply(200));
      try {
        const socket = tls.connect({ host: '127.0.0.1', port: port(engine, 'tls'), rejectUnauthorized: false });
        await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
        const client = new StreamClient(socket);
        const r = request('OPTIONS', `SIP/2.0/TLS 127.0.0.1:${socket.localPort ?? 0};branch={branch}`);
        client.write(r.text);
        const res = await client.inbox.nextResponse();
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('Call-ID'), r.callId);
        client.close();
      } finally {
        await engine.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
