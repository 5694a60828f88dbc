import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { directoryReader, directoryView, type DirectoryReader, type DirectoryState } from '../../../src/projections/directory/index.ts';
import { InMemoryView } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView, type LocationReader, type LocationViewState } from '../../../src/projections/location/index.ts';
import { EmbeddedSignalingEngine } from '../../../src/realtime/engine/embedded-signaling-engine.ts';
import type { InboundRequest } from '../../../src/realtime/engine/signaling-engine.ts';
import { SipFrontEnd, type SipFrontEndOptions, type SipFrontEndSettings } from '../../../src/realtime/front-end/sip-front-end.ts';
import type { SipRequestHandler } from '../../../src/realtime/front-end/sip-request-handler.ts';
import type { SipRequest, SipResponse } from '../../../src/realtime/sip/message.ts';
import { createSipEngine } from '../../../src/realtime/sip/sip-engine.ts';
import { answerChallenge, readChallenge } from '../../support/sip-digest-client.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { request, TcpPeer, UdpPeer, type Peer, type RequestSpec } from './proxy-peers.ts';

export const DOMAIN = 'example.test';
export const PASSWORD = 'wonderland';
/** Short T1 so transaction timers stay short; the peers answer at once anyway. */
const TIMERS = { t1: 50, t2: 200, t4: 250, timerD: 500, cancelGuard: 3000 };

/** A call router stand-in: records what it was given and answers 488 (or ignores an ACK). */
export class RecordingCallRouter implements SipRequestHandler {
  readonly received: SipRequest[] = [];
  closed = false;
  /** Makes `handle` throw, as a broken router would. */
  failing = false;
  handle(r: InboundRequest): void {
    this.received.push(r.message);
    if (this.failing) throw new Error('call router is broken');
    if (r.message.method !== 'ACK') r.reply(488, 'Not Acceptable Here');
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export type FrontEndHarness = {
  readonly store: EventStore<DomainEvent>;
  readonly frontEnd: SipFrontEnd;
  readonly callRouter: RecordingCallRouter;
  readonly directory: DirectoryReader;
  readonly location: LocationReader;
  readonly udpPort: number;
  readonly tcpPort: number;
  provision(user: string): Promise<void>;
  udp(): Promise<UdpPeer>;
  tcp(): Promise<TcpPeer>;
  /** Events of the `im` category, in log order. */
  imEvents(): Promise<RecordedEvent<DomainEvent>[]>;
  close(): Promise<void>;
};

/** Event log (PGlite in memory), directory and location views, engine on UDP+TCP (port 0), the front-end over it. */
export async function startFrontEnd(
  options: { settings?: Partial<SipFrontEndSettings>; extra?: Partial<Pick<SipFrontEndOptions, 'presence' | 'registrar'>> } = {},
): Promise<FrontEndHarness> {
  const store = await PgliteEventStore.open({ catalogue: domainCatalogue });
  const dirView = new InMemoryView<DomainEvent, DirectoryState>({ store, definition: directoryView, logger: silentLogger });
  const locView = new InMemoryView<DomainEvent, LocationViewState>({ store, definition: locationView, logger: silentLogger });
  await Promise.all([dirView.start(), locView.start()]);
  const directory = directoryReader(dirView);
  const location = createLocationReader(locView);
  const engine = await createSipEngine({
    listen: [
      { protocol: 'udp', host: '127.0.0.1', port: 0 },
      { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    ],
    timers: TIMERS,
    logger: silentLogger,
  });
  const udpPort = engine.listening.find((l) => l.protocol === 'udp')?.port ?? 0;
  const tcpPort = engine.listening.find((l) => l.protocol === 'tcp')?.port ?? 0;
  const callRouter = new RecordingCallRouter();
  const frontEnd = new SipFrontEnd({
    engine: new EmbeddedSignalingEngine({ engine, logger: silentLogger }),
    store,
    directory,
    location,
    callRouter,
    ...options.extra,
    settings: { domain: DOMAIN, localHosts: ['127.0.0.1'], im: { sweepIntervalMs: 0 }, nodeId: 'test-node', ...options.settings },
    logger: silentLogger,
  });
  const peers: Peer[] = [];
  const ctx = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
  const meta = { correlationId: 'test', causationId: null, actor: 'test', node: 'test' };
  const run = (user: string, command: UserCommand) =>
    handleCommand({ store, decider: userDecider, streamId: userStreamId(`sip:${user}@${DOMAIN}`), command, context: ctx, metadata: meta });
  return {
    store,
    frontEnd,
    callRouter,
    directory,
    location,
    udpPort,
    tcpPort,
    provision: async (user) => {
      const sipUri = `sip:${user}@${DOMAIN}`;
      await run(user, { type: 'ProvisionUser', data: { sipUri, displayName: user } });
      await run(user, { type: 'SetCredentials', data: { realm: DOMAIN, ...computeHa1(user, DOMAIN, PASSWORD) } });
      await waitUntil(`${user} is in the directory view`, () => directory.credentials(sipUri) !== null);
    },
    udp: async () => {
      const p = await new UdpPeer(udpPort).open();
      peers.push(p);
      return p;
    },
    tcp: async () => {
      const p = await new TcpPeer(tcpPort).open();
      peers.push(p);
      return p;
    },
    imEvents: () => store.readAll({ filter: { categories: ['im'] } }),
    close: async () => {
      await Promise.all(peers.map((p) => p.close()));
      await frontEnd.close();
      await Promise.all([dirView.close(), locView.close()]);
      await store.close();
    },
  };
}

/**
 * Sends `spec` from `peer`, answers the digest challenge (401 or 407) as
 * `user`, and returns the challenge and the final response to the retry.
 */
export async function sendWithAuth(
  peer: Peer,
  user: string,
  spec: RequestSpec,
  password = PASSWORD,
): Promise<{ challenge: SipResponse; final: SipResponse }> {
  const callId = spec.callId ?? `${randomBytes(6).toString('hex')}@127.0.0.1`;
  const fromTag = randomBytes(4).toString('hex');
  const from = spec.from ?? `<sip:${user}@${DOMAIN}>;tag=${fromTag}`;
  peer.send(request(peer, { ...spec, from, callId, cseq: 1 }));
  const challenge = await finalResponse(peer, callId, 1);
  assert.ok(challenge.status === 401 || challenge.status === 407, `expected a challenge, got ${challenge.status}`);
  const [challengeHeader, credentialsHeader] = challenge.status === 401 ? ['WWW-Authenticate', 'Authorization'] : ['Proxy-Authenticate', 'Proxy-Authorization'];
  const value = challenge.headers.getAll(challengeHeader)[0] ?? assert.fail(`${challenge.status} without ${challengeHeader}`);
  const credentials = answerChallenge({ challenge: readChallenge(value), method: spec.method, uri: spec.uri, username: user, password });
  peer.send(request(peer, { ...spec, from, callId, cseq: 2, headers: [...(spec.headers ?? []), [credentialsHeader, credentials]] }));
  return { challenge, final: await finalResponse(peer, callId, 2) };
}

/** The final response to the request with this Call-ID and CSeq number. */
export async function finalResponse(peer: Peer, callId: string, cseq: number): Promise<SipResponse> {
  const m = await peer.inbox.waitFor(
    (x) => x.kind === 'response' && x.status >= 200 && x.headers.get('Call-ID') === callId && (x.headers.get('CSeq') ?? '').startsWith(`${cseq} `),
    `final response to ${callId} CSeq ${cseq}`,
  );
  assert.equal(m.kind, 'response');
  return m;
}

/** Registers `peer`'s Contact for `user` through the front-end and waits for the location view to list it. */
export async function registerPeer(h: FrontEndHarness, peer: Peer, user: string): Promise<void> {
  const aor = `sip:${user}@${DOMAIN}`;
  const before = h.location.liveContacts(aor, new Date().toISOString()).length;
  const { final } = await sendWithAuth(peer, user, { method: 'REGISTER', uri: `sip:${DOMAIN}`, to: `<${aor}>`, headers: [['Expires', '600']] });
  assert.equal(final.status, 200, `REGISTER answered ${final.status} ${final.reason}`);
  await waitUntil(`${user} has ${before + 1} live contacts`, () => h.location.liveContacts(aor, new Date().toISOString()).length === before + 1);
}
