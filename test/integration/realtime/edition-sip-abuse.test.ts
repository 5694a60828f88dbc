import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition, type StandardEdition } from '../../../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { loadSipFrontEndConfig } from '../../../src/realtime/front-end/sip-front-end-config.ts';
import { TORTURE_CASES } from '../../fixtures/rfc4475/outcomes.ts';
import { RawSipClient, registerUser, requestText, sendAuthenticated, type RawInbox } from '../../support/raw-sip-client.ts';
import { FULL_SERVER_OUTCOMES, type ServerOutcome } from './edition-torture-outcomes.ts';

/**
 * Abuse against the FULL server — a started Standard Edition (PGlite in memory, default rate
 * limits), front-end, registrar, IM, presence and call router behind the engine — where
 * sip-engine.test.ts covers the engine alone. Every RFC 4475 torture message over UDP and TCP,
 * oversized and truncated messages: each gets the answer in edition-torture-outcomes.ts or
 * nothing; none writes an event or an error log line; and an authenticated REGISTER succeeds
 * right after each. Each case comes from its own loopback address (127.0.x.y), so the per-source
 * rate limit, left at its defaults, never interferes; the flood test then aims at it on purpose.
 */

const PASSWORD = 'abuse-Secret-42';
const domain = `abuse-${randomBytes(3).toString('hex')}.test`;

type LogRecord = { level: number; msg?: string; module?: string };

describe('the full server under RFC 4475 torture, oversized and truncated messages, and a flood', () => {
  let edition: StandardEdition;
  const logged: LogRecord[] = [];
  let head = 0n;
  let source = 0;
  /** A loopback address no earlier step used. */
  const nextSource = (): string => {
    source++;
    return `127.0.${10 + Math.floor(source / 250)}.${(source % 250) + 1}`;
  };
  const port = (protocol: 'udp' | 'tcp'): number => edition.sipListening.find((l) => l.protocol === protocol)?.port ?? assert.fail(`no ${protocol}`);

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logged.push(JSON.parse(line) as LogRecord);
        done();
      },
    });
    const config = loadConfig({
      CHORUS_DATA_DIR: 'memory://',
      CHORUS_DEMO: 'off',
      CHORUS_DOMAIN: domain,
      CHORUS_ADMIN_TOKEN: 'abuse-admin-token-0123456789',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      SIP_PORT: '0',
    });
    // The torture Vias name hosts that do not exist: SIP_FORCE_RPORT answers where each came from.
    const sip = loadSipFrontEndConfig({ SIP_HOST: '0.0.0.0', SIP_ADVERTISED_HOST: '127.0.0.1', SIP_FORCE_RPORT: 'true' });
    edition = await startStandardEdition(config, { logger: pino({ level: 'warn' }, sink), metrics: createMetricsRegistry({ defaultMetrics: false }), sip });
    const res = await fetch(`${edition.httpUrl}/users`, {
      method: 'POST',
      headers: { authorization: 'Bearer abuse-admin-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ sipUri: `sip:alice@${domain}`, password: PASSWORD }),
    });
    assert.equal(res.status, 201, await res.text());
    const res2 = await fetch(`${edition.httpUrl}/users`, {
      method: 'POST',
      headers: { authorization: 'Bearer abuse-admin-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ sipUri: `sip:bob@${domain}`, password: PASSWORD }),
    });
    assert.equal(res2.status, 201, await res2.text());
    await edition.projections.waitForPosition(await edition.store.headPosition(), 10_000);
    head = await edition.store.headPosition();
  });

  after(async () => {
    await edition?.close();
  });

  /**
   * The first final response to `callId` (to anything, when the message has no usable Call-ID), a
   * close, or `drop` when nothing came. The marker OPTIONS is answered at once; a handler's answer
   * may come later (an async lookup, a proxy's DNS failure), so an expected status is waited for
   * (a hang guard), and otherwise a short quiet window must pass.
   */
  async function observe(inbox: RawInbox, callId: string | undefined, markerCallId: string | undefined, expected: ServerOutcome | undefined): Promise<ServerOutcome> {
    let seen: ServerOutcome | undefined;
    for (;;) {
      // Done: the marker came back and so did the expected status.
      if (markerCallId === undefined && seen !== undefined && seen === expected) return seen;
      const waitLonger = seen === undefined && (markerCallId !== undefined || typeof expected === 'number');
      const item = await inbox.poll(waitLonger ? 5_000 : 300);
      if (item === undefined) return seen ?? 'drop';
      if (item.kind === 'closed') return seen ?? 'close';
      const m = item.message;
      if (m.kind !== 'response' || m.status < 200) continue;
      const id = m.headers.get('Call-ID');
      if (id === markerCallId) {
        markerCallId = undefined;
        continue;
      }
      if (seen === undefined && (callId === undefined || id === callId)) seen = m.status;
    }
  }

  function marker(client: RawSipClient): { text: string; callId: string } {
    const callId = `marker-${randomBytes(5).toString('hex')}`;
    return {
      callId,
      text: requestText(client, { method: 'OPTIONS', uri: `sip:${domain}`, from: `sip:probe@${domain}`, fromTag: 'm', to: `sip:${domain}`, callId, cseq: 1 }),
    };
  }

  function callIdOf(data: Buffer): string | undefined {
    return /\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]+)/i.exec(data.toString('latin1'))?.[1]?.trim();
  }

  /** Sends `data` from a fresh source, returns what came back; the marker OPTIONS after it proves the server still reads that source. */
  async function attack(protocol: 'udp' | 'tcp', data: Buffer, options: { marker?: boolean; expected?: ServerOutcome } = {}): Promise<ServerOutcome> {
    const client = await RawSipClient.open(protocol, port(protocol), { localAddress: nextSource() });
    try {
      client.send(data);
      let markerCallId: string | undefined;
      if (options.marker !== false) {
        const m = marker(client);
        markerCallId = m.callId;
        client.send(m.text);
      }
      return await observe(client.inbox, callIdOf(data), markerCallId, options.expected);
    } finally {
      client.close();
    }
  }

  /**
   * An authenticated REGISTER from a fresh source succeeds — a query (no Contact, RFC 3261
   * §10.2.3), so it writes nothing itself — the log's head has not moved, and nothing was logged at
   * error level. (A write the attack caused late would still show in the final check below.)
   */
  async function stillServesAndLogNothing(what: string): Promise<void> {
    const client = await RawSipClient.open('udp', port('udp'), { localAddress: nextSource() });
    try {
      const aor = `sip:alice@${domain}`;
      const { response } = await sendAuthenticated(
        client,
        { method: 'REGISTER', uri: `sip:${domain}`, from: aor, fromTag: randomBytes(4).toString('hex'), to: aor, callId: `legit-${randomBytes(5).toString('hex')}`, cseq: 1 },
        { user: 'alice', password: PASSWORD },
      );
      assert.equal(response.status, 200, `${what}: a legitimate REGISTER right after it`);
    } finally {
      client.close();
    }
    assert.equal(await edition.store.headPosition(), head, `${what} wrote to the event log`);
    assert.deepEqual(logged.filter((r) => r.level >= 50), [], `${what} logged errors`);
  }

  /**
   * The RFC reuses branches (z9hG4bKkdjuw with the same sent-by and method in several messages),
   * and each message is sent twice here (UDP, TCP); one long-lived server rightly takes a repeat for
   * a retransmission of the earlier request (RFC 3261 §17.2.3: branch, sent-by and method; for
   * branches without the magic cookie, Call-ID, CSeq, From tag, sent-by and Request-URI) and
   * answers it where that one came from. So every z9hG4bK branch and the Call-ID of the header
   * section get a per-send suffix; nothing else of the message changes.
   */
  let sends = 0;
  function uniqueBranches(data: Buffer): Buffer {
    const text = data.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    const head = end < 0 ? text : text.slice(0, end);
    const n = ++sends;
    const unique = head.replace(/(branch\s*=\s*z9hG4bK[^\s;,]*)/gi, `$1-u${n}`).replace(/(\r\n(?:Call-ID|i)[ \t]*:[ \t]*[^\r\n]+)/gi, `$1-u${n}`);
    return Buffer.from(unique + (end < 0 ? '' : text.slice(end)), 'latin1');
  }

  for (const c of TORTURE_CASES) {
    for (const protocol of ['udp', 'tcp'] as const) {
      const outcome = FULL_SERVER_OUTCOMES[c.name];
      const expected = outcome?.[protocol];
      it(`${c.name} (RFC 4475 §${c.section}) over ${protocol.toUpperCase()} → ${JSON.stringify(expected)}`, async () => {
        const data = uniqueBranches(readFileSync(new URL(`../../fixtures/rfc4475/${c.name}.dat`, import.meta.url)));
        const seen = await attack(protocol, data, { marker: c[protocol] !== 'close', ...(expected !== undefined ? { expected } : {}) });
        assert.deepEqual(seen, expected, `${c.name}: ${outcome?.why ?? c.note}`);
        await stillServesAndLogNothing(c.name);
      });
    }
  }

  const REGISTER_HEAD = (viaProto: string, extraHeader = ''): string =>
    [
      `REGISTER sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/${viaProto} 127.0.0.1:5999;branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@${domain}>;tag=big`,
      `To: <sip:alice@${domain}>`,
      `Call-ID: big-${randomBytes(4).toString('hex')}`,
      'CSeq: 1 REGISTER',
      `Contact: <sip:alice@127.0.0.1:5999>`,
      extraHeader,
    ]
      .filter((l) => l.length > 0)
      .join('\r\n');

  it('the largest datagram UDP carries (65 507 octets, just under the 64 KiB SIP limit) is served like any REGISTER: 401, nothing written', async () => {
    const before = `${REGISTER_HEAD('UDP', 'X-Padding: ')}`;
    const after = '\r\nContent-Length: 0\r\n\r\n';
    const data = Buffer.from(`${before}${'a'.repeat(65_507 - before.length - after.length)}${after}`);
    assert.equal(data.length, 65_507);
    assert.equal(await attack('udp', data, { expected: 401 }), 401);
    await stillServesAndLogNothing('largest datagram');
  });

  it('an oversized stream message (a 100 000-octet body) gets 513 and the connection closed, and writes nothing', async () => {
    const data = Buffer.from(`${REGISTER_HEAD('TCP')}\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n${'b'.repeat(100_000)}`);
    const client = await RawSipClient.open('tcp', port('tcp'), { localAddress: nextSource() });
    try {
      client.send(data);
      const first = await client.inbox.next('513 or a close');
      assert.equal(first.kind === 'message' && first.message.kind === 'response' ? first.message.status : first.kind, 513);
      assert.equal((await client.inbox.next('the close')).kind, 'closed');
    } finally {
      client.close();
    }
    await stillServesAndLogNothing('oversized stream message');
  });

  it('an endless header section on a stream (no blank line within 64 KiB) gets 513 and the connection closed', async () => {
    const client = await RawSipClient.open('tcp', port('tcp'), { localAddress: nextSource() });
    try {
      client.send(`${REGISTER_HEAD('TCP')}\r\n`);
      for (let i = 0; i < 20; i++) client.send(`X-Flood-${i}: ${'c'.repeat(5_000)}\r\n`);
      const first = await client.inbox.next('513 or a close');
      const status = first.kind === 'message' && first.message.kind === 'response' ? first.message.status : first.kind;
      assert.ok(status === 513 || status === 'closed', `endless headers: ${String(status)}`);
    } finally {
      client.close();
    }
    await stillServesAndLogNothing('endless header section');
  });

  it('a datagram truncated inside the headers gets 400 or nothing, and writes nothing', async () => {
    const full = Buffer.from(`${REGISTER_HEAD('UDP')}\r\nContent-Length: 0\r\n\r\n`);
    const seen = await attack('udp', full.subarray(0, Math.floor(full.length / 2)));
    assert.ok(seen === 'drop' || seen === 400, `truncated datagram: ${JSON.stringify(seen)}`);
    await stillServesAndLogNothing('truncated datagram');
  });

  it('a datagram whose body is shorter than its Content-Length gets 400, and writes nothing', async () => {
    const data = Buffer.from(`${REGISTER_HEAD('UDP')}\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\nonly this`);
    assert.equal(await attack('udp', data), 400);
    await stillServesAndLogNothing('short body datagram');
  });

  it('a stream message cut off by the client closing its side gets nothing, and writes nothing', async () => {
    const client = await RawSipClient.open('tcp', port('tcp'), { localAddress: nextSource() });
    const full = `${REGISTER_HEAD('TCP')}\r\nContent-Length: 0\r\n\r\n`;
    client.send(full.slice(0, Math.floor(full.length / 2)));
    const item = await client.inbox.poll(500);
    assert.equal(item, undefined, 'nothing is answered to half a message');
    client.close();
    await stillServesAndLogNothing('truncated stream message');
  });

  it('wrote nothing to the event log for any of the above, late writes included', async () => {
    await setTimeout(300);
    assert.equal(await edition.store.headPosition(), head);
  });

  it('rate-limits a REGISTER flood from one source (503 + Retry-After, then silence) while another source still registers', async () => {
    const flooder = await RawSipClient.open('udp', port('udp'), { localAddress: '127.0.0.1' });
    const other = await RawSipClient.open('udp', port('udp'), { localAddress: '127.0.0.2' });
    try {
      const FLOOD = 300;
      for (let i = 0; i < FLOOD; i++) {
        flooder.send(
          requestText(flooder, {
            method: 'REGISTER',
            uri: `sip:${domain}`,
            from: `sip:alice@${domain}`,
            fromTag: `f${i}`,
            to: `sip:alice@${domain}`,
            callId: `flood-${i}`,
            cseq: 1,
            contact: flooder.contact('alice'),
          }),
        );
      }
      // Meanwhile bob, from another address, registers normally.
      const ok = await registerUser(other, { domain, user: 'bob', password: PASSWORD });
      assert.equal(ok.status, 200, 'another source is not limited by the flood');

      const statuses = new Map<number, number>();
      let retryAfter: string | undefined;
      for (;;) {
        const item = await flooder.inbox.poll(500);
        if (item === undefined) break;
        if (item.kind !== 'message' || item.message.kind !== 'response') continue;
        statuses.set(item.message.status, (statuses.get(item.message.status) ?? 0) + 1);
        if (item.message.status === 503) retryAfter ??= item.message.headers.get('Retry-After');
      }
      // The burst (60) is admitted and challenged; then one 503 each time the source runs dry again
      // (tokens refill at 20/s while the flood is still being read, each refill admitting one more),
      // and silence for everything else.
      const challenged = statuses.get(401) ?? 0;
      const refused = statuses.get(503) ?? 0;
      const seen = JSON.stringify([...statuses]);
      assert.ok(challenged >= 60, `at least the burst is challenged: ${seen}`);
      assert.ok(refused >= 1 && refused <= challenged - 60 + 1, `one 503 per return to the limit: ${seen}`);
      assert.ok(challenged + refused < FLOOD / 2, `most of the flood gets no answer at all: ${seen}`);
      assert.match(retryAfter ?? '', /^\d+$/);
      // The flood wrote nothing (unauthenticated REGISTERs), and bob's registration is in the log.
      await edition.projections.waitForPosition(await edition.store.headPosition(), 10_000);
      const events = await edition.store.readAll({ after: head, limit: 1_000 });
      head = events[events.length - 1]?.globalPosition ?? head;
      assert.deepEqual(events.map((e) => [e.type, (e.data as { contact?: string }).contact]), [['endpoint.registered.v1', other.contact('bob')]]);
      assert.ok(logged.some((r) => r.msg === 'sip source over its rate limit'), 'the first refusal of the source is logged (warn)');
    } finally {
      flooder.close();
      other.close();
    }
  });
});
