import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent, RecordedEvent } from '../../../../src/events/envelope.ts';
import type { AppendOptions, AppendResult } from '../../../../src/events/event-store.ts';
import type { UserProfile } from '../../../../src/events/domain/directory-events.ts';
import type { Binding } from '../../../../src/projections/location/binding.ts';
import type { AuthOutcome } from '../../../../src/realtime/auth/digest-authenticator.ts';
import type { ProxyOperation, ProxyOptions, ProxyResult } from '../../../../src/realtime/engine/proxy-operation.ts';
import type { InboundRequest, ReplyOptions } from '../../../../src/realtime/engine/signaling-engine.ts';
import { ServedDomains } from '../../../../src/realtime/front-end/served-domains.ts';
import { ImHandler, type ImHandlerOptions } from '../../../../src/realtime/im/im-handler.ts';
import { Headers, type SipResponse } from '../../../../src/realtime/sip/message.ts';
import { parseMessage } from '../../../../src/realtime/sip/parser.ts';
import { checkRequest } from '../../../../src/realtime/sip/sanity.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const T0 = Date.parse('2026-03-01T12:00:00Z');

/** A store whose appends can be made to fail, as a database that went away. */
class FlakyStore extends InMemoryEventStore<DomainEvent> {
  down = false;
  override append(streamId: string, events: readonly NewEvent<DomainEvent>[], options: AppendOptions): Promise<AppendResult> {
    return this.down ? Promise.reject(new Error('store unavailable')) : super.append(streamId, events, options);
  }
}

type Answer = { status: number; reason: string | undefined; headers: readonly (readonly [string, string])[] };

/** A MESSAGE as the engine would hand it over, recording the reply or the proxy call. */
function message(o: { from?: string; to?: string; callId?: string; contentType?: string; body?: string; proxyResult?: ProxyResult }) {
  const body = Buffer.from(o.body ?? 'hello');
  const text = [
    `MESSAGE ${o.to ?? BOB} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKtest1',
    'Max-Forwards: 70',
    `From: <${o.from ?? ALICE}>;tag=f1`,
    `To: <${o.to ?? BOB}>`,
    `Call-ID: ${o.callId ?? 'call-1@192.0.2.1'}`,
    'CSeq: 1 MESSAGE',
    ...(o.contentType === '' ? [] : [`Content-Type: ${o.contentType ?? 'text/plain'}`]),
    `Content-Length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.concat([Buffer.from(text), body]), { mode: 'stream', maxMessageSize: 1 << 20 });
  if (!parsed.ok || parsed.value.kind !== 'request') assert.fail('test MESSAGE does not parse');
  const core = checkRequest(parsed.value, { supportedOptionTags: new Set(), enforceRequire: true });
  if (!core.ok) assert.fail(`test MESSAGE fails sanity: ${core.error.reason}`);
  const answers: Answer[] = [];
  const proxied: ProxyOptions[] = [];
  const result: ProxyResult = o.proxyResult ?? { kind: 'answered', branch: { index: 0, target: undefined }, response: response(200) };
  const request: InboundRequest = {
    message: parsed.value,
    core: core.value,
    source: { transport: 'udp', address: '192.0.2.1', port: 5060, id: 'udp:192.0.2.1:5060' },
    inDialog: false,
    cancelled: false,
    reply: (status: number, reason?: string, options?: ReplyOptions) => (answers.push({ status, reason, headers: options?.headers ?? [] }), true),
    onCancel: () => {},
    proxy: (options?: ProxyOptions): ProxyOperation => {
      proxied.push(options ?? {});
      const op: ProxyOperation = { on: () => op, off: () => op, addTargets: () => false, result: Promise.resolve(result) };
      return op;
    },
  };
  return { request, answers, proxied };
}

function response(status: number): SipResponse {
  return { kind: 'response', status, reason: status === 200 ? 'OK' : 'Busy Here', version: 'SIP/2.0', headers: Headers.of([]), body: Buffer.alloc(0) };
}

function binding(aor: string, endpointId: string, port: number): Binding {
  return {
    endpointId,
    aor,
    contact: `sip:${endpointId}@192.0.2.9:${port}`,
    transport: 'udp',
    sourceAddress: `192.0.2.9:${port}`,
    instanceId: null,
    userAgent: null,
    expiresAt: '2026-03-02T00:00:00.000Z',
    registeredAt: '2026-03-01T00:00:00.000Z',
  };
}

function world(overrides: Partial<ImHandlerOptions> = {}) {
  let now = T0;
  const store = new FlakyStore(domainCatalogue);
  const domains = new ServedDomains({ domain: 'example.test' });
  let auth: AuthOutcome = { kind: 'authorized', username: 'alice', realm: 'example.test', algorithm: 'SHA-256' };
  const users = new Set([ALICE, BOB]);
  const contacts = new Map<string, Binding[]>([
    [BOB, [binding(BOB, 'bob-desk', 5070), binding(BOB, 'bob-phone', 5072)]],
    [ALICE, [binding(ALICE, 'alice-pc', 5080)]],
  ]);
  let n = 0;
  const handler = new ImHandler({
    store,
    authenticator: { authenticate: () => auth },
    directory: { user: (uri) => (users.has(uri) ? ({ sipUri: uri } as unknown as UserProfile) : null) },
    location: { liveContacts: (aor) => contacts.get(aor) ?? [] },
    localAor: (uri) => domains.aorOf(uri),
    sweepIntervalMs: 0,
    now: () => new Date(now),
    newId: () => `msg-${++n}`,
    nodeId: 'node-1',
    logger: silentLogger,
    ...overrides,
  });
  return {
    store,
    handler,
    contacts,
    setAuth: (a: AuthOutcome) => (auth = a),
    advance: (ms: number) => (now += ms),
    im: async (): Promise<RecordedEvent<DomainEvent>[]> => store.readAll({ filter: { categories: ['im'] } }),
  };
}

describe('ImHandler', () => {
  it('given two live contacts, when alice writes, then it forks to both in parallel and records sent + delivered after the commit', async () => {
    const w = world();
    const m = message({ body: 'hi bob' });
    await w.handler.handle(m.request);
    assert.deepEqual(m.answers, [], 'the proxy answers upstream, not the handler');
    assert.equal(m.proxied.length, 1);
    assert.equal(m.proxied[0]?.forking, 'parallel');
    assert.deepEqual(
      m.proxied[0]?.targets?.map((t) => [t.uri, t.nextHop]),
      [
        ['sip:bob-desk@192.0.2.9:5070', { kind: 'address', transport: 'udp', address: '192.0.2.9', port: 5070 }],
        ['sip:bob-phone@192.0.2.9:5072', { kind: 'address', transport: 'udp', address: '192.0.2.9', port: 5072 }],
      ],
    );
    const events = await w.im();
    assert.deepEqual(events.map((e) => e.type), ['im.session_started.v1', 'im.message_sent.v1', 'im.message_delivered.v1']);
    assert.equal(events[0]?.streamId, 'im-call-1@192.0.2.1');
    assert.equal(events[1]?.metadata.correlationId, 'sip:call-1@192.0.2.1');
    assert.equal(events[1]?.metadata.node, 'node-1');
  });

  it('given the archive policy is off, then only the fact of the message is kept', async () => {
    const w = world({ archive: (sender) => sender !== ALICE });
    await w.handler.handle(message({ body: 'secret' }).request);
    const sent = (await w.im()).find((e) => e.type === 'im.message_sent.v1');
    assert.equal(sent?.type === 'im.message_sent.v1' && sent.data.body, null);
    assert.equal(sent?.type === 'im.message_sent.v1' && sent.data.archived, false);
  });

  it('given an open session between the pair, then new Call-IDs (either direction) add to it until the pair is idle', async () => {
    const w = world();
    await w.handler.handle(message({ callId: 'c1' }).request);
    w.advance(60_000);
    w.setAuth({ kind: 'authorized', username: 'bob', realm: 'example.test', algorithm: 'MD5' });
    await w.handler.handle(message({ callId: 'c2', from: BOB, to: ALICE }).request);
    let events = await w.im();
    assert.deepEqual(
      events.map((e) => `${e.streamId} ${e.type}`),
      ['im-c1 im.session_started.v1', 'im-c1 im.message_sent.v1', 'im-c1 im.message_delivered.v1', 'im-c1 im.message_sent.v1', 'im-c1 im.message_delivered.v1'],
    );
    assert.equal(w.handler.openSessions, 1);

    w.advance(599_000);
    await w.handler.endIdleSessions();
    assert.equal((await w.im()).length, 5, 'not idle yet: 599 s since the last message');
    w.advance(1_000);
    await w.handler.endIdleSessions();
    events = await w.im();
    const ended = events.at(-1);
    assert.equal(ended?.type, 'im.session_ended.v1');
    assert.equal(ended?.type === 'im.session_ended.v1' && ended.data.reason, 'idle');
    assert.equal(w.handler.openSessions, 0);

    // The next message opens a new session; its Call-ID names it.
    w.setAuth({ kind: 'authorized', username: 'alice', realm: 'example.test', algorithm: 'MD5' });
    await w.handler.handle(message({ callId: 'c3' }).request);
    assert.equal((await w.im()).filter((e) => e.type === 'im.session_started.v1').at(-1)?.streamId, 'im-c3');
  });

  it('given a client that reuses an ended session\'s Call-ID, then the new session gets a fresh id', async () => {
    const w = world({ sessionIdleSeconds: 1 });
    await w.handler.handle(message({ callId: 'same' }).request);
    w.advance(2_000);
    await w.handler.endIdleSessions();
    await w.handler.handle(message({ callId: 'same' }).request);
    const starts = (await w.im()).filter((e) => e.type === 'im.session_started.v1').map((e) => e.streamId);
    assert.equal(starts.length, 2);
    assert.equal(starts[0], 'im-same');
    assert.match(starts[1] ?? '', /^im-[0-9a-f-]{36}$/);
  });

  it('given a branch times out everywhere, then the message is recorded as failed with no status', async () => {
    const w = world();
    await w.handler.handle(message({ proxyResult: { kind: 'failed', status: 408, response: undefined } }).request);
    const failed = (await w.im()).at(-1);
    assert.equal(failed?.type, 'im.message_failed.v1');
    assert.equal(failed?.type === 'im.message_failed.v1' && failed.data.sipStatus, null);
  });

  it('given bob declines on every device, then the failure carries his status', async () => {
    const w = world();
    await w.handler.handle(message({ proxyResult: { kind: 'failed', status: 486, response: response(486) } }).request);
    const failed = (await w.im()).at(-1);
    assert.equal(failed?.type === 'im.message_failed.v1' && failed.data.sipStatus, 486);
  });

  it('given the store is down, then 500 and nothing is forwarded', async () => {
    const w = world();
    w.store.down = true;
    const m = message({});
    await w.handler.handle(m.request);
    assert.deepEqual(m.answers.map((a) => a.status), [500]);
    assert.equal(m.proxied.length, 0);
  });

  it('a challenge from the authenticator is sent as is, before anything else is looked at', async () => {
    const w = world();
    w.setAuth({ kind: 'challenge', status: 407, headers: [['Proxy-Authenticate', 'Digest realm="example.test"']], reason: 'no-credentials' });
    const m = message({ to: 'sip:nobody@example.test', contentType: 'image/png' });
    await w.handler.handle(m.request);
    assert.deepEqual(m.answers, [{ status: 407, reason: undefined, headers: [['Proxy-Authenticate', 'Digest realm="example.test"']] }]);
    assert.deepEqual(await w.im(), []);
  });

  it('a sender of another domain is refused with 403 (no relaying), a digest user acting for someone else too', async () => {
    const w = world();
    const foreign = message({ from: 'sip:mallory@evil.example' });
    await w.handler.handle(foreign.request);
    assert.equal(foreign.answers[0]?.status, 403);
    w.setAuth({ kind: 'forbidden', reason: 'username bob may not act for alice' });
    const spoof = message({});
    await w.handler.handle(spoof.request);
    assert.equal(spoof.answers[0]?.status, 403);
    assert.deepEqual(await w.im(), []);
  });

  it('is-composing notices and notes to oneself are forwarded but not recorded', async () => {
    const w = world();
    const typing = message({ contentType: 'application/im-iscomposing+xml', body: '<isComposing/>' });
    await w.handler.handle(typing.request);
    assert.equal(typing.proxied.length, 1);
    const self = message({ to: ALICE });
    await w.handler.handle(self.request);
    assert.equal(self.proxied.length, 1);
    assert.deepEqual(await w.im(), []);
  });

  it('close ends the open sessions (reason shutdown), is idempotent, and refuses later MESSAGEs with 503', async () => {
    const w = world();
    await w.handler.handle(message({}).request);
    await Promise.all([w.handler.close(), w.handler.close()]);
    const last = (await w.im()).at(-1);
    assert.equal(last?.type === 'im.session_ended.v1' && last.data.reason, 'shutdown');
    const late = message({ callId: 'late' });
    await w.handler.handle(late.request);
    assert.deepEqual(late.answers.map((a) => a.status), [503]);
  });

  it('rejects a maxBodyBytes it could not store', () => {
    assert.throws(() => world({ maxBodyBytes: 70_000 }), /maxBodyBytes/);
  });
});
