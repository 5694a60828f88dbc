import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AggregateCache } from '../../../src/commands/aggregate-cache.ts';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { InMemoryView } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView, type LocationViewState } from '../../../src/projections/location/index.ts';
import { createPresenceReader, presenceView, type PresenceViewState } from '../../../src/projections/presence/index.ts';
import type { CredentialStore, StoredCredentials } from '../../../src/realtime/auth/credential-store.ts';
import { DigestAuthenticator } from '../../../src/realtime/auth/digest-authenticator.ts';
import type { SupportedAlgorithm } from '../../../src/realtime/auth/digest-response.ts';
import { StatelessNonces } from '../../../src/realtime/auth/stateless-nonces.ts';
import { EmbeddedSignalingEngine } from '../../../src/realtime/engine/embedded-signaling-engine.ts';
import { DomainWatcherPolicy } from '../../../src/realtime/presence/domain-watcher-policy.ts';
import { EventStorePresenceCommands } from '../../../src/realtime/presence/event-store-presence-commands.ts';
import { PresenceServer } from '../../../src/realtime/presence/presence-server.ts';
import { presenceSourceOf } from '../../../src/realtime/presence/view-presence-source.ts';
import { createSipEngine } from '../../../src/realtime/sip/sip-engine.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { WAIT_MS } from './proxy-peers.ts';

export const DOMAIN = 'example.test';
export const PASSWORD = 'wonderland';

class MapCredentials implements CredentialStore {
  readonly entries = new Map<string, StoredCredentials>();
  credentials(aor: string): StoredCredentials | null {
    return this.entries.get(aor) ?? null;
  }
}

export type PresenceHarness = {
  readonly store: PgliteEventStore<DomainEvent>;
  readonly presence: InMemoryView<DomainEvent, PresenceViewState>;
  readonly location: InMemoryView<DomainEvent, LocationViewState>;
  readonly server: PresenceServer;
  /** The UDP listener's port. */
  readonly port: number;
  readonly tcpPort: number;
  /** Per-presentity block lists the policy reads on every SUBSCRIBE. */
  readonly blocked: Map<string, Set<string>>;
  run(aor: string, command: UserCommand): ReturnType<typeof handleCommand>;
  events(aor: string): Promise<DomainEvent[]>;
  /** ProvisionUser + SetCredentials (realm = the user's domain, password PASSWORD). */
  provision(aor: string): Promise<void>;
  /** RegisterEndpoint from `transport` `127.0.0.1:localPort`, visible in the location view when it resolves. */
  register(aor: string, transport: 'udp' | 'tcp', localPort: number, expiresSeconds?: number): Promise<string>;
  close(): Promise<void>;
};

/**
 * The presence server as the front end will wire it: embedded engine through
 * the engine port, digest authentication, the user decider on a PGlite
 * (memory) log, and the real presence and location views fed by that log.
 * Endpoints are registered with commands (the registrar has its own tests).
 */
export type PresenceHarnessOptions = {
  readonly minExpires?: number;
  readonly publishMinExpires?: number;
  readonly expiryGraceMs?: number;
  /** Digest algorithms challenged. Default the authenticator's (SHA-256, MD5); SIPp 3.6 answers only an MD5 first challenge. */
  readonly algorithms?: readonly SupportedAlgorithm[];
};

export async function startPresenceHarness(options: PresenceHarnessOptions = {}): Promise<PresenceHarness> {
  const store = await PgliteEventStore.open({ catalogue: domainCatalogue });
  const presence = new InMemoryView({ store, definition: presenceView, logger: silentLogger });
  const location = new InMemoryView({ store, definition: locationView, logger: silentLogger });
  await presence.start();
  await location.start();
  const credentials = new MapCredentials();
  const blocked = new Map<string, Set<string>>();
  const presenceReader = createPresenceReader(presence);
  const engine = await createSipEngine({
    listen: [
      { protocol: 'udp', host: '127.0.0.1', port: 0 },
      { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    ],
    logger: silentLogger,
  });
  const udpPort = engine.listening.find((l) => l.protocol === 'udp')?.port ?? assert.fail('no UDP listener');
  const tcpPort = engine.listening.find((l) => l.protocol === 'tcp')?.port ?? assert.fail('no TCP listener');
  const sip = new EmbeddedSignalingEngine({ engine, logger: silentLogger });
  const server = new PresenceServer({
    sender: sip,
    authenticator: new DigestAuthenticator({
      credentials,
      nonces: new StatelessNonces(),
      defaultRealm: DOMAIN,
      ...(options.algorithms ? { algorithms: options.algorithms } : {}),
      logger: silentLogger,
    }),
    // As the edition wires it: the node's cache, which the harness's own provisioning leaves stale.
    commands: new EventStorePresenceCommands({ store, aggregates: new AggregateCache() }),
    presence: presenceSourceOf(presence),
    changes: presence,
    bindings: createLocationReader(location),
    // As the SIP plane wires it (the view's block lists), plus lists a test sets directly.
    policy: new DomainWatcherPolicy({ blockedWatchers: (p) => [...(blocked.get(p) ?? []), ...presenceReader.blockedWatchersOf(p)] }),
    contactFor: (flow) => (flow.transport === 'udp' ? `sip:presence@127.0.0.1:${udpPort}` : `sip:presence@127.0.0.1:${tcpPort};transport=${flow.transport}`),
    ...(options.minExpires !== undefined ? { minExpires: options.minExpires } : {}),
    ...(options.publishMinExpires !== undefined ? { publishMinExpires: options.publishMinExpires } : {}),
    ...(options.expiryGraceMs !== undefined ? { expiryGraceMs: options.expiryGraceMs } : {}),
    logger: silentLogger,
  });
  sip.onRequest((req) => {
    if (PresenceServer.METHODS.includes(req.message.method)) void server.handle(req);
    else req.reply(405);
  });
  const ctx = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
  const meta = { correlationId: 'test', causationId: null, actor: 'test', node: 'test' };
  const run = (aor: string, command: UserCommand) =>
    handleCommand({ store, decider: userDecider, streamId: userStreamId(aor), command, context: ctx, metadata: meta });
  let closed: Promise<void> | undefined;
  return {
    store,
    presence,
    location,
    server,
    port: udpPort,
    tcpPort,
    blocked,
    run,
    events: async (aor) => [...(await store.readStream(userStreamId(aor)))],
    provision: async (aor) => {
      const [user, domain] = aor.slice(4).split('@') as [string, string];
      await run(aor, { type: 'ProvisionUser', data: { sipUri: aor, displayName: user } });
      const ha1 = computeHa1(user, domain, PASSWORD);
      await run(aor, { type: 'SetCredentials', data: { realm: domain, ...ha1 } });
      credentials.entries.set(aor, { realm: domain, ...ha1 });
    },
    register: async (aor, transport, localPort, expiresSeconds = 3600) => {
      const user = aor.slice(4, aor.indexOf('@'));
      const outcome = await run(aor, {
        type: 'RegisterEndpoint',
        data: { contact: `sip:${user}@127.0.0.1:${localPort}`, transport, sourceAddress: `127.0.0.1:${localPort}`, expiresSeconds },
      });
      const registered = outcome.events.find((e) => e.type === 'endpoint.registered.v1');
      assert.ok(registered?.type === 'endpoint.registered.v1');
      await location.waitForPosition(outcome.appendResult?.positions.at(-1) ?? 0n, WAIT_MS);
      return registered.data.endpointId;
    },
    close: () =>
      (closed ??= (async () => {
        await server.close();
        await sip.close();
        await presence.close();
        await location.close();
        await store.close();
      })()),
  };
}
