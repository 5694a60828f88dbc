import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { callStreamId, userStreamId, voiceConfigStreamId, type VoiceConfigKind } from '../../../src/commands/stream-ids.ts';
import { AggregateCache } from '../../../src/commands/aggregate-cache.ts';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { voiceConfigDecider } from '../../../src/commands/voice-config/voice-config-decider.ts';
import type { VoiceConfigCommand } from '../../../src/commands/voice-config/voice-config-commands.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { CallEvent } from '../../../src/events/domain/call-events.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { directoryReader, directoryView } from '../../../src/projections/directory/index.ts';
import { InMemoryView } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView } from '../../../src/projections/location/index.ts';
import { routingReader, routingView } from '../../../src/projections/routing/index.ts';
import { DigestAuthenticator } from '../../../src/realtime/auth/digest-authenticator.ts';
import { StatelessNonces } from '../../../src/realtime/auth/stateless-nonces.ts';
import { CallRouter } from '../../../src/realtime/calls/call-router.ts';
import { EventStoreCallCommandSink } from '../../../src/realtime/calls/event-store-call-command-sink.ts';
import { EmbeddedSignalingEngine } from '../../../src/realtime/engine/embedded-signaling-engine.ts';
import type { SipRequest, SipResponse } from '../../../src/realtime/sip/message.ts';
import { newCallId, newTag } from '../../../src/realtime/sip/ids.ts';
import { createSipEngine, type SipEngine } from '../../../src/realtime/sip/sip-engine.ts';
import { ManualClock } from '../../../src/realtime/sip/transaction/clock.ts';
import { InMemoryEventStore } from '../../support/in-memory-event-store.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { answerChallenge, readChallenge } from '../../support/sip-digest-client.ts';
import { ackOf, request, UdpPeer, type Peer } from './proxy-peers.ts';

export const DOMAIN = 'example.test';
export const PASSWORD = 'wonderland';
/** Short T1 so transaction timers stay short; peers answer at once anyway. */
const TIMERS = { t1: 50, t2: 200, t4: 250, timerD: 500, cancelGuard: 3000 };
const VIEW_WAIT_MS = 5000;

export type UserSpec = {
  readonly lineUri?: string;
  readonly voice?: { readonly dialPlan?: string; readonly voicePolicy?: string };
};

/**
 * The call router as a server wires it: the embedded engine on UDP 127.0.0.1,
 * the event log (in memory), the directory, location and routing views fed by
 * the log, digest authentication over the directory view. Users, registrations
 * and voice configuration are written as real commands, so the router reads
 * views built from real events.
 */
export class CallHarness {
  readonly store = new InMemoryEventStore<DomainEvent>(domainCatalogue);
  /** Drives the proxy's branch timeouts (no-answer forwarding): advanced by the tests, never by real time. */
  readonly proxyClock = new ManualClock();
  /** The router's clock (event instants, binding expiry): real time plus `skewMs`. */
  skewMs = 0;
  readonly directory = new InMemoryView({ store: this.store, definition: directoryView, logger: silentLogger });
  readonly location = new InMemoryView({ store: this.store, definition: locationView, logger: silentLogger });
  readonly routing = new InMemoryView({ store: this.store, definition: routingView, logger: silentLogger });
  readonly peers: Peer[] = [];
  engine!: SipEngine;
  signaling!: EmbeddedSignalingEngine;
  router!: CallRouter;
  port = 0;
  #lastPosition = 0n;

  async start(): Promise<this> {
    await Promise.all([this.directory.start(), this.location.start(), this.routing.start()]);
    this.engine = await createSipEngine({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }], timers: TIMERS, logger: silentLogger });
    this.port = this.engine.listening[0]?.port ?? assert.fail('no UDP listener');
    this.signaling = new EmbeddedSignalingEngine({ engine: this.engine, clock: this.proxyClock, logger: silentLogger });
    this.router = new CallRouter({
      authenticator: new DigestAuthenticator({
        credentials: directoryReader(this.directory),
        nonces: new StatelessNonces(),
        defaultRealm: DOMAIN,
        logger: silentLogger,
      }),
      routing: routingReader(this.routing),
      location: createLocationReader(this.location),
      commands: new EventStoreCallCommandSink({ store: this.store, aggregates: new AggregateCache() }),
      now: () => new Date(Date.now() + this.skewMs),
      nodeId: 'test-node',
      logger: silentLogger,
    });
    // What a server's dispatcher does with what the router does not take: in-dialog requests follow their Route.
    this.signaling.onRequest((r) => {
      if (this.router.handle(r)) return;
      if (r.inDialog || r.message.method === 'ACK') r.proxy();
      else r.reply(405);
    });
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.close()));
    await this.router.close();
    await this.signaling.close();
    await Promise.all([this.directory.close(), this.location.close(), this.routing.close()]);
    await this.store.close();
  }

  async peer(): Promise<UdpPeer> {
    const p = await new UdpPeer(this.port).open();
    this.peers.push(p);
    return p;
  }

  async #run(streamId: string, command: UserCommand | VoiceConfigCommand, user: boolean): Promise<void> {
    const context = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
    const metadata = { correlationId: 'test', causationId: null, actor: 'test', node: 'test' };
    const outcome = user
      ? await handleCommand({ store: this.store, decider: userDecider, streamId, command: command as UserCommand, context, metadata })
      : await handleCommand({ store: this.store, decider: voiceConfigDecider, streamId, command: command as VoiceConfigCommand, context, metadata });
    const last = outcome.appendResult?.positions.at(-1);
    if (last !== undefined && last > this.#lastPosition) this.#lastPosition = last;
  }

  user(name: string, command: UserCommand): Promise<void> {
    return this.#run(userStreamId(`sip:${name}@${DOMAIN}`), command, true);
  }

  config(kind: VoiceConfigKind, name: string, command: VoiceConfigCommand): Promise<void> {
    return this.#run(voiceConfigStreamId(kind, name), command, false);
  }

  async provision(name: string, spec: UserSpec = {}): Promise<void> {
    const sipUri = `sip:${name}@${DOMAIN}`;
    const voice = spec.voice ? { enterpriseVoiceEnabled: true, ...spec.voice } : {};
    await this.user(name, { type: 'ProvisionUser', data: { sipUri, displayName: name, ...(spec.lineUri ? { lineUri: spec.lineUri } : {}), ...voice } });
    await this.user(name, { type: 'SetCredentials', data: { realm: DOMAIN, ...computeHa1(name, DOMAIN, PASSWORD) } });
  }

  /** Registers `peer` as a contact of `name`, reached at the peer's own address. */
  register(name: string, peer: Peer): Promise<void> {
    return this.user(name, {
      type: 'RegisterEndpoint',
      data: { contact: contactOf(name, peer), transport: 'udp', sourceAddress: `127.0.0.1:${peer.port}`, expiresSeconds: 3600 },
    });
  }

  /** Waits until every view has applied everything written so far. */
  async settled(): Promise<void> {
    await Promise.all([this.directory, this.location, this.routing].map((v) => v.waitForPosition(this.#lastPosition, VIEW_WAIT_MS)));
  }

  /** The call's events once the router has recorded everything it queued. */
  async callEvents(callId: string): Promise<RecordedEvent<DomainEvent>[]> {
    await this.router.recorder.idle();
    return this.store.readStream(callStreamId(callId));
  }

  /**
   * An INVITE from `caller` (a local user) to `uri`: challenged with 407, ACKed,
   * then sent again with Proxy-Authorization. Returns the authorized INVITE.
   */
  async invite(uac: Peer, caller: string, uri: string, options: { body?: string } = {}): Promise<SipRequest> {
    const callId = newCallId('127.0.0.1');
    const from = `<sip:${caller}@${DOMAIN}>;tag=${newTag()}`;
    const sdp = options.body === undefined ? {} : { body: options.body };
    const sdpHeaders = options.body === undefined ? [] : ([['Content-Type', 'application/sdp']] as const);
    const first = request(uac, { method: 'INVITE', uri, from, callId, cseq: 1, headers: [...sdpHeaders], ...sdp });
    uac.send(first);
    const challenge = await uac.inbox.response(407, 'INVITE');
    uac.send(ackOf(first, challenge));
    const proxyAuthenticate = challenge.headers.getAll('Proxy-Authenticate')[0] ?? assert.fail('407 without Proxy-Authenticate');
    const authorization = answerChallenge({ challenge: readChallenge(proxyAuthenticate), method: 'INVITE', uri, username: caller, password: PASSWORD });
    const second = request(uac, {
      method: 'INVITE',
      uri,
      from,
      callId,
      cseq: 2,
      headers: [...sdpHeaders, ['Proxy-Authorization', authorization]],
      ...sdp,
    });
    uac.send(second);
    return second;
  }
}

export function contactOf(name: string, peer: Peer): string {
  return `sip:${name}@127.0.0.1:${peer.port}`;
}

export function typesOf(events: readonly RecordedEvent<DomainEvent>[]): string[] {
  return events.map((e) => e.type.replace(/^call\.|\.v1$/g, ''));
}

export function dataOf<T extends CallEvent['type']>(events: readonly RecordedEvent<DomainEvent>[], type: T): CallEventData<T> {
  const found = events.find((e) => e.type === type);
  if (!found) assert.fail(`no ${type} among ${events.map((e) => e.type).join(', ')}`);
  return found.data as CallEventData<T>;
}

type CallEventData<T extends CallEvent['type']> = Extract<CallEvent, { readonly type: T }>['data'];

export function sdp(direction: 'sendrecv' | 'sendonly' | 'inactive'): string {
  return ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', `a=${direction}`, ''].join('\r\n');
}

export type { SipResponse };
