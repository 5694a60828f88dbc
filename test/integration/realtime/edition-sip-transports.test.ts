import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition, type StandardEdition } from '../../../src/edition/standard-edition.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { loadSipFrontEndConfig } from '../../../src/realtime/front-end/sip-front-end-config.ts';
import { parseVia } from '../../../src/realtime/sip/via.ts';
import { RawSipClient, registerUser, requestText, responseText, sendAuthenticated, type RawProtocol } from '../../support/raw-sip-client.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';

/**
 * SIP_TRANSPORTS=udp,tcp,tls,ws,wss on a started Standard Edition (PGlite in memory): clients
 * register over TLS, WS and WSS, and the call router, IM and presence reach them over the
 * connection they registered on — a WebSocket client's Contact host is `*.invalid` (RFC 7118
 * §5.2), so nothing else could.
 */

const PASSWORD = 'transport-Secret-42';
const TOKEN = 'transports-admin-token-0123456789';

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

const opensslMissing = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl CLI not installed: cannot make a test certificate';
  }
})();

function editionConfig(domain: string) {
  return loadConfig({ CHORUS_DATA_DIR: 'memory://', CHORUS_DEMO: 'off', CHORUS_DOMAIN: domain, CHORUS_ADMIN_TOKEN: TOKEN, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0' });
}

function splitRoutes(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/,(?=\s*<)/).map((x) => x.trim()));
}

describe('Standard Edition with SIP over TLS, WS and WSS', { skip: opensslMissing }, () => {
  const domain = `tr-${randomBytes(3).toString('hex')}.test`;
  let dir: string;
  let edition: StandardEdition;
  let readUpTo = 0n;
  const aor = (user: string) => `sip:${user}@${domain}`;
  const port = (protocol: RawProtocol): number => edition.sipListening.find((l) => l.protocol === protocol)?.port ?? assert.fail(`no ${protocol} listener`);

  async function api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${edition.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  async function settled(): Promise<void> {
    await edition.projections.waitForPosition(await edition.store.headPosition(), 10_000);
  }

  async function newEvents(): Promise<DomainEvent[]> {
    const page = await edition.store.readAll({ after: readUpTo, limit: 1_000 });
    const last = page[page.length - 1];
    if (last) readUpTo = last.globalPosition;
    return page.map((e) => ({ type: e.type, data: e.data }) as DomainEvent);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chorus-sip-transports-'));
    const files = makeCertificate(dir);
    const sip = loadSipFrontEndConfig({
      SIP_HOST: '127.0.0.1',
      SIP_TRANSPORTS: 'udp,tcp,tls,ws,wss',
      SIP_TLS_PORT: '0',
      SIP_WS_PORT: '0',
      SIP_WSS_PORT: '0',
      SIP_TLS_CERT: files.cert,
      SIP_TLS_KEY: files.key,
    });
    edition = await startStandardEdition(editionConfig(domain), { logger: silentLogger, metrics: createMetricsRegistry({ defaultMetrics: false }), sip });
    for (const user of ['alice', 'bob', 'carol', 'dan']) await api('POST', '/users', { sipUri: aor(user), password: PASSWORD });
    await settled();
    await newEvents();
  });

  after(async () => {
    await edition?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on every configured transport, each on its own port but udp/tcp', () => {
    assert.deepEqual(edition.sipListening.map((l) => l.protocol), ['udp', 'tcp', 'tls', 'ws', 'wss']);
    const streamPorts = ['tcp', 'tls', 'ws', 'wss'].map((p) => port(p as RawProtocol));
    assert.equal(new Set(streamPorts).size, 4);
  });

  for (const protocol of ['tls', 'ws', 'wss'] as const) {
    it(`registers a client over ${protocol}: 200, the binding in the log with transport ${protocol}`, async () => {
      const client = await RawSipClient.open(protocol, port(protocol));
      try {
        const ok = await registerUser(client, { domain, user: 'dan', password: PASSWORD, expires: 300 });
        assert.equal(ok.status, 200);
        const via = parseVia(ok.headers.get('Via') ?? '');
        assert.equal(via.ok ? via.value[0]?.transport : undefined, protocol.toUpperCase());
        assert.ok(ok.headers.getAll('Contact').join(', ').includes(`<${client.contact('dan')}>`), 'the 200 lists the new contact');
        await settled();
        const registered = (await newEvents()).filter((e) => e.type === 'endpoint.registered.v1');
        assert.equal(registered.length, 1);
        const data = registered[0]?.type === 'endpoint.registered.v1' ? registered[0].data : assert.fail('no registration');
        assert.equal(data.transport, protocol);
        assert.equal(data.contact, client.contact('dan'));
        const regs = (await api('GET', `/users/${encodeURIComponent(aor('dan'))}/registrations`)) as { bindings?: unknown[] } | unknown[];
        assert.ok(JSON.stringify(regs).includes(client.contact('dan')), `the registrations API lists the ${protocol} contact`);
      } finally {
        client.close();
      }
    });
  }

  it('routes an INVITE from a UDP caller to a WebSocket-registered callee over its connection, and the dialog (ACK, BYE) too', async () => {
    const bob = await RawSipClient.open('ws', port('ws'));
    const alice = await RawSipClient.open('udp', port('udp'));
    try {
      assert.equal((await registerUser(bob, { domain, user: 'bob', password: PASSWORD })).status, 200);
      await settled();
      const callId = `ws-call-${randomBytes(4).toString('hex')}`;
      const invite = { method: 'INVITE', uri: aor('bob'), from: aor('alice'), fromTag: 'alice-1', to: aor('bob'), callId, cseq: 1, contact: alice.contact('alice') };
      const answered = sendAuthenticated(alice, invite, { user: 'alice', password: PASSWORD });

      const incoming = await bob.inbox.request('INVITE');
      assert.equal(incoming.uri.scheme === 'sip' ? incoming.uri.host : undefined, bob.viaHost, 'the Request-URI is the registered WS contact');
      const topVia = parseVia(incoming.headers.getAll('Via')[0] ?? '');
      assert.equal(topVia.ok ? topVia.value[0]?.transport : undefined, 'WS', 'the proxy sent it over WebSocket');
      // RFC 5658: the request changed transport (UDP in, WS out), so the proxy records both.
      const recorded = splitRoutes(incoming.headers.getAll('Record-Route'));
      assert.equal(recorded.length, 2);
      assert.match(recorded[0] ?? '', /;transport=ws;lr>$/);
      bob.send(responseText(incoming, 180, 'Ringing', { toTag: 'bob-1', contact: bob.contact('bob') }));
      bob.send(responseText(incoming, 200, 'OK', { toTag: 'bob-1', contact: bob.contact('bob') }));
      const { response: ok, cseq } = await answered;
      assert.equal(ok.status, 200);

      // The caller's in-dialog requests: Request-URI = the WS contact, Route = the recorded set reversed.
      const routes = splitRoutes(ok.headers.getAll('Record-Route')).reverse();
      const inDialog = (method: string, n: number): string =>
        requestText(alice, { method, uri: bob.contact('bob'), from: aor('alice'), fromTag: 'alice-1', to: aor('bob'), toTag: 'bob-1', callId, cseq: n, extra: routes.map((r) => `Route: ${r}`) });
      alice.send(inDialog('ACK', cseq));
      const ack = await bob.inbox.request('ACK');
      assert.equal(ack.headers.get('Call-ID'), callId);
      alice.send(inDialog('BYE', cseq + 1));
      const bye = await bob.inbox.request('BYE');
      bob.send(responseText(bye, 200, 'OK'));
      assert.equal((await alice.inbox.response(callId, { method: 'BYE' })).status, 200);

      await waitUntil('the call ended in the log', async () => {
        await settled();
        return (await edition.store.readAll({ after: 0n, limit: 10_000 })).some((e) => e.type === 'call.ended.v1' && (e.data as { sipCallId?: string }).sipCallId === callId);
      });
      const types = (await edition.store.readAll({ after: 0n, limit: 10_000 }))
        .filter((e) => e.type.startsWith('call.') && (e.data as { sipCallId?: string }).sipCallId === callId)
        .map((e) => e.type);
      assert.deepEqual(types, ['call.initiated.v1', 'call.routed.v1', 'call.ringing.v1', 'call.answered.v1', 'call.ended.v1']);
    } finally {
      alice.close();
      bob.close();
    }
  });

  it('takes a call from a WebSocket caller and brings the callee\'s BYE back over the caller\'s connection', async () => {
    const dan = await RawSipClient.open('ws', port('ws'));
    const alice = await RawSipClient.open('udp', port('udp'));
    try {
      assert.equal((await registerUser(alice, { domain, user: 'alice', password: PASSWORD })).status, 200);
      await settled();
      const callId = `ws-caller-${randomBytes(4).toString('hex')}`;
      const answered = sendAuthenticated(
        dan,
        { method: 'INVITE', uri: aor('alice'), from: aor('dan'), fromTag: 'dan-1', to: aor('alice'), callId, cseq: 1, contact: dan.contact('dan') },
        { user: 'dan', password: PASSWORD },
      );
      const incoming = await alice.inbox.request('INVITE');
      alice.send(responseText(incoming, 200, 'OK', { toTag: 'alice-9', contact: alice.contact('alice') }));
      const { response: ok, cseq } = await answered;
      assert.equal(ok.status, 200);
      const danRoutes = splitRoutes(ok.headers.getAll('Record-Route')).reverse();
      dan.send(requestText(dan, { method: 'ACK', uri: alice.contact('alice'), from: aor('dan'), fromTag: 'dan-1', to: aor('alice'), toTag: 'alice-9', callId, cseq, extra: danRoutes.map((r) => `Route: ${r}`) }));
      await alice.inbox.request('ACK');

      // The callee hangs up: its BYE goes to the caller's Contact (`*.invalid`), which only the caller's connection reaches.
      const aliceRoutes = splitRoutes(incoming.headers.getAll('Record-Route'));
      alice.send(
        requestText(alice, { method: 'BYE', uri: dan.contact('dan'), from: aor('alice'), fromTag: 'alice-9', to: aor('dan'), toTag: 'dan-1', callId, cseq: 1, extra: aliceRoutes.map((r) => `Route: ${r}`) }),
      );
      const bye = await dan.inbox.request('BYE');
      dan.send(responseText(bye, 200, 'OK'));
      assert.equal((await alice.inbox.response(callId, { method: 'BYE' })).status, 200);
    } finally {
      dan.close();
      alice.close();
    }
  });

  for (const protocol of ['ws', 'tls'] as const) {
    it(`delivers a MESSAGE from a UDP sender to a ${protocol}-registered user over that connection`, async () => {
      const carol = await RawSipClient.open(protocol, port(protocol));
      const alice = await RawSipClient.open('udp', port('udp'));
      try {
        assert.equal((await registerUser(carol, { domain, user: 'carol', password: PASSWORD })).status, 200);
        await settled();
        const callId = `im-${protocol}-${randomBytes(4).toString('hex')}`;
        const text = `hello over ${protocol}`;
        const sent = sendAuthenticated(
          alice,
          { method: 'MESSAGE', uri: aor('carol'), from: aor('alice'), fromTag: 'a-im', to: aor('carol'), callId, cseq: 1, body: text },
          { user: 'alice', password: PASSWORD },
        );
        const message = await carol.inbox.request('MESSAGE');
        assert.equal(message.body.toString('utf8'), text);
        const via = parseVia(message.headers.getAll('Via')[0] ?? '');
        assert.equal(via.ok ? via.value[0]?.transport : undefined, protocol.toUpperCase());
        carol.send(responseText(message, 200, 'OK', { toTag: 'c-im' }));
        assert.equal((await sent).response.status, 200);
      } finally {
        carol.close();
        alice.close();
      }
    });
  }

  it('sends presence NOTIFYs to a WebSocket subscriber over its connection', async () => {
    const bob = await RawSipClient.open('ws', port('ws'));
    try {
      const callId = `sub-${randomBytes(4).toString('hex')}`;
      const subscribed = sendAuthenticated(
        bob,
        {
          method: 'SUBSCRIBE',
          uri: aor('alice'),
          from: aor('bob'),
          fromTag: 'b-sub',
          to: aor('alice'),
          callId,
          cseq: 1,
          contact: bob.contact('bob'),
          extra: ['Event: presence', 'Accept: application/pidf+xml', 'Expires: 300'],
        },
        { user: 'bob', password: PASSWORD },
      );
      const { response } = await subscribed;
      assert.ok(response.status === 200 || response.status === 202, `SUBSCRIBE answered ${response.status}`);
      const notify = await bob.inbox.request('NOTIFY');
      assert.equal(notify.headers.get('Call-ID'), callId);
      assert.match(notify.headers.get('Subscription-State') ?? '', /^active/);
      assert.match(notify.body.toString('utf8'), /<presence[\s>]/);
      bob.send(responseText(notify, 200, 'OK'));
    } finally {
      bob.close();
    }
  });
});

describe('Standard Edition start-up with a bad TLS configuration', () => {
  it('refuses tls without certificate and key at configuration time, naming the variable', () => {
    assert.throws(() => loadSipFrontEndConfig({ SIP_TRANSPORTS: 'udp,tls' }), (e: unknown) => e instanceof ConfigError && e.message.startsWith('SIP_TLS_CERT: required'));
  });

  it('fails to start with one line naming an unreadable certificate file', async () => {
    const sip = loadSipFrontEndConfig({ SIP_HOST: '127.0.0.1', SIP_TRANSPORTS: 'udp,tls', SIP_TLS_PORT: '0', SIP_TLS_CERT: '/nonexistent/c.pem', SIP_TLS_KEY: '/nonexistent/k.pem' });
    await assert.rejects(
      startStandardEdition(editionConfig('bad-tls.test'), { logger: silentLogger, metrics: createMetricsRegistry({ defaultMetrics: false }), sip }),
      (e: unknown) => e instanceof ConfigError && /^SIP_TLS_CERT: cannot read \/nonexistent\/c\.pem/.test(e.message),
    );
  });
});
