import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { WebSocket } from 'ws';
import { AggregateCache } from '../../../src/commands/aggregate-cache.ts';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { RateLimitGate } from '../../../src/realtime/abuse/rate-limit-gate.ts';
import { SourceRateLimiter, type SourceRateLimiterOptions } from '../../../src/realtime/abuse/source-rate-limiter.ts';
import type { CredentialStore, StoredCredentials } from '../../../src/realtime/auth/credential-store.ts';
import { DigestAuthenticator } from '../../../src/realtime/auth/digest-authenticator.ts';
import { StatelessNonces } from '../../../src/realtime/auth/stateless-nonces.ts';
import { EventStoreBindingLedger } from '../../../src/realtime/registrar/event-store-binding-ledger.ts';
import { Registrar } from '../../../src/realtime/registrar/registrar.ts';
import type { SipMessage, SipResponse } from '../../../src/realtime/sip/message.ts';
import { parseMessage } from '../../../src/realtime/sip/parser.ts';
import { createSipEngine, type ListenSpec, type SipEngine } from '../../../src/realtime/sip/sip-engine.ts';
import { StreamFramer } from '../../../src/realtime/sip/transport/stream-framer.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { answerChallenge, readChallenge } from '../../support/sip-digest-client.ts';

export const DOMAIN = 'example.test';
export const PASSWORD = 'wonderland';
/** A hang guard, not a timing assertion. */
const WAIT_MS = 5000;

class MapCredentials implements CredentialStore {
  readonly entries = new Map<string, StoredCredentials>();
  credentials(aor: string): StoredCredentials | null {
    return this.entries.get(aor) ?? null;
  }
}

export type Harness = {
  readonly store: EventStore<DomainEvent>;
  readonly engine: SipEngine;
  readonly registrar: Registrar;
  readonly gate: RateLimitGate;
  port(protocol: 'udp' | 'tcp' | 'ws'): number;
  provision(user: string, options?: { maxEndpoints?: number }): Promise<void>;
  events(user: string): Promise<DomainEvent[]>;
  close(): Promise<void>;
};

/** Engine + digest + registrar + rate limit on a PGlite (memory) event log, as the server wires them. */
export async function startHarness(options: { listen?: ListenSpec['protocol'][]; limiter?: SourceRateLimiterOptions } = {}): Promise<Harness> {
  const store = await PgliteEventStore.open({ catalogue: domainCatalogue });
  const credentials = new MapCredentials();
  const engine = await createSipEngine({
    listen: (options.listen ?? ['udp', 'tcp']).map((protocol) => ({ protocol, host: '127.0.0.1', port: 0 }) as ListenSpec),
    logger: silentLogger,
  });
  const authenticator = new DigestAuthenticator({ credentials, nonces: new StatelessNonces(), defaultRealm: DOMAIN, logger: silentLogger });
  const registrar = new Registrar({ authenticator, ledger: new EventStoreBindingLedger({ store, aggregates: new AggregateCache() }), logger: silentLogger });
  const gate = new RateLimitGate({
    limiter: new SourceRateLimiter(options.limiter ?? {}),
    next: (incoming) => {
      if (incoming.request.method === 'REGISTER') void registrar.handle(incoming);
      else incoming.reply(405, undefined, { headers: [['Allow', 'REGISTER']] });
    },
    logger: silentLogger,
  });
  engine.onRequest(gate.handle);
  const ctx = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
  const meta = { correlationId: 'test', causationId: null, actor: 'test', node: 'test' };
  const run = (user: string, command: UserCommand) =>
    handleCommand({ store, decider: userDecider, streamId: userStreamId(`sip:${user}@${DOMAIN}`), command, context: ctx, metadata: meta });
  return {
    store,
    engine,
    registrar,
    gate,
    port: (protocol) => engine.listening.find((l) => l.protocol === protocol)?.port ?? assert.fail(`no ${protocol} listener`),
    provision: async (user, o = {}) => {
      const sipUri = `sip:${user}@${DOMAIN}`;
      await run(user, { type: 'ProvisionUser', data: { sipUri, displayName: user, ...(o.maxEndpoints ? { maxEndpoints: o.maxEndpoints } : {}) } });
      const ha1 = computeHa1(user, DOMAIN, PASSWORD);
      await run(user, { type: 'SetCredentials', data: { realm: DOMAIN, ...ha1 } });
      credentials.entries.set(sipUri, { realm: DOMAIN, ...ha1 });
    },
    events: async (user) => [...(await store.readStream(userStreamId(`sip:${user}@${DOMAIN}`)))],
    close: async () => {
      await engine.close();
      await store.close();
    },
  };
}

/** Queue of messages a test client receives. */
class Inbox {
  readonly #items: SipMessage[] = [];
  readonly #waiters: Array<(m: SipMessage) => void> = [];
  push(m: SipMessage): void {
    const w = this.#waiters.shift();
    if (w) w(m);
    else this.#items.push(m);
  }
  get pending(): number {
    return this.#items.length;
  }
  next(): Promise<SipMessage> {
    const item = this.#items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SIP message within ${WAIT_MS} ms`)), WAIT_MS);
      this.#waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }
  async response(): Promise<SipResponse> {
    for (;;) {
      const m = await this.next();
      if (m.kind === 'response') return m;
    }
  }
}

function parse(data: Buffer): SipMessage {
  const r = parseMessage(data, { mode: 'datagram', maxMessageSize: 1 << 20 });
  if (!r.ok) assert.fail(`server sent something unparseable: ${r.error.reason}`);
  return r.value;
}

/** A SIP client over UDP, TCP or WebSocket that speaks raw text. */
export class TestClient {
  readonly inbox = new Inbox();
  readonly protocol: 'udp' | 'tcp' | 'ws';
  localAddress = '';
  localPort = 0;
  #send: (text: string) => void = () => {};
  #close: () => void = () => {};

  private constructor(protocol: 'udp' | 'tcp' | 'ws') {
    this.protocol = protocol;
  }

  static async open(protocol: 'udp' | 'tcp' | 'ws', serverPort: number, localAddress = '127.0.0.1'): Promise<TestClient> {
    const c = new TestClient(protocol);
    if (protocol === 'udp') {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
      socket.on('message', (data) => c.inbox.push(parse(data)));
      c.localAddress = localAddress;
      c.localPort = socket.address().port;
      c.#send = (text) => socket.send(Buffer.from(text), serverPort, '127.0.0.1');
      c.#close = () => socket.close();
    } else if (protocol === 'tcp') {
      const socket = net.connect({ host: '127.0.0.1', port: serverPort, localAddress });
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const framer = new StreamFramer(1 << 20);
      socket.on('data', (chunk: Buffer) => {
        for (const unit of framer.push(chunk)) if (unit.kind === 'message') c.inbox.push(parse(unit.data));
      });
      c.localAddress = localAddress;
      c.localPort = socket.localPort ?? 0;
      c.#send = (text) => socket.write(text);
      c.#close = () => socket.destroy();
    } else {
      const socket = new WebSocket(`ws://127.0.0.1:${serverPort}`, 'sip');
      await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
      assert.equal(socket.protocol, 'sip');
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        assert.equal(isBinary, false, 'SIP over WebSocket is sent in text frames');
        c.inbox.push(parse(data));
      });
      c.localAddress = 'df7jal23ls0d.invalid'; // RFC 7118 §5.2: a WebSocket client has no reachable address
      c.localPort = 0;
      c.#send = (text) => socket.send(text);
      c.#close = () => socket.close();
    }
    return c;
  }

  send(text: string): void {
    this.#send(text);
  }

  close(): void {
    this.#close();
  }

  /** A REGISTER for `user`, with the given Contact lines, Expires and Authorization. */
  register(o: { user: string; callId: string; cseq: number; contacts?: string[]; expires?: number; authorization?: string }): void {
    const via = this.protocol === 'ws' ? `SIP/2.0/WS ${this.localAddress}` : `SIP/2.0/${this.protocol.toUpperCase()} ${this.localAddress}:${this.localPort}`;
    const lines = [
      `REGISTER sip:${DOMAIN} SIP/2.0`,
      `Via: ${via};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${o.user}@${DOMAIN}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${o.user}@${DOMAIN}>`,
      `Call-ID: ${o.callId}`,
      `CSeq: ${o.cseq} REGISTER`,
      'User-Agent: chorus-test',
      ...(o.contacts ?? []).map((c) => `Contact: ${c}`),
      ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
      ...(o.authorization !== undefined ? [`Authorization: ${o.authorization}`] : []),
      'Content-Length: 0',
      '',
      '',
    ];
    this.send(lines.join('\r\n'));
  }

  /** Challenge, then answer it: the final response of the authorized REGISTER. */
  async registerWithAuth(o: { user: string; callId: string; cseq: number; contacts?: string[]; expires?: number; password?: string }): Promise<SipResponse> {
    this.register(o);
    const challenge = await this.inbox.response();
    assert.equal(challenge.status, 401);
    const www = challenge.headers.getAll('WWW-Authenticate')[0] ?? assert.fail('401 without WWW-Authenticate');
    // SIPp-style digest uri: the server address, not the Request-URI.
    const authorization = answerChallenge({
      challenge: readChallenge(www),
      method: 'REGISTER',
      uri: 'sip:127.0.0.1',
      username: o.user,
      password: o.password ?? PASSWORD,
    });
    this.register({ ...o, cseq: o.cseq + 1, authorization });
    return this.inbox.response();
  }
}
