import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { directoryReader, directoryView, type DirectoryState } from '../../../src/projections/directory/index.ts';
import { InMemoryView } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView, type LocationViewState } from '../../../src/projections/location/index.ts';
import { createSipFrontEnd, type SipPlane } from '../../../src/realtime/front-end/create-sip-front-end.ts';
import { loadSipFrontEndConfig } from '../../../src/realtime/front-end/sip-front-end-config.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { DOMAIN, finalResponse, PASSWORD, RecordingCallRouter, sendWithAuth } from './front-end-harness.ts';
import { request, respond, TcpPeer, UdpPeer, type Peer } from './proxy-peers.ts';

/** The factory the server uses: Chorus config + SIP settings from the environment → a listening front-end. */
describe('createSipFrontEnd (embedded engine from configuration)', () => {
  let store: PgliteEventStore<DomainEvent>;
  let views: Array<InMemoryView<DomainEvent, DirectoryState> | InMemoryView<DomainEvent, LocationViewState>>;
  let plane: SipPlane;
  const callRouter = new RecordingCallRouter();
  const peers: Peer[] = [];
  let location: ReturnType<typeof createLocationReader>;

  before(async () => {
    store = await PgliteEventStore.open({ catalogue: domainCatalogue });
    const dirView = new InMemoryView<DomainEvent, DirectoryState>({ store, definition: directoryView, logger: silentLogger });
    const locView = new InMemoryView<DomainEvent, LocationViewState>({ store, definition: locationView, logger: silentLogger });
    views = [dirView, locView];
    await Promise.all([dirView.start(), locView.start()]);
    location = createLocationReader(locView);
    plane = await createSipFrontEnd({
      config: { sipPort: 0, domain: DOMAIN, nodeId: 'factory-node' },
      sip: loadSipFrontEndConfig({ SIP_HOST: '127.0.0.1', SIP_NONCE_SECRET: 'sixteen-byte-key!', IM_ARCHIVE: 'false' }),
      store,
      directory: directoryReader(dirView),
      location,
      callRouter,
      timers: { t1: 50, t2: 200, t4: 250, timerD: 500 },
      logger: silentLogger,
    });
    const ctx = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
    const meta = { correlationId: 'test', causationId: null, actor: 'test', node: 'test' };
    const run = (user: string, command: UserCommand) =>
      handleCommand({ store, decider: userDecider, streamId: userStreamId(`sip:${user}@${DOMAIN}`), command, context: ctx, metadata: meta });
    for (const user of ['alice', 'bob']) {
      await run(user, { type: 'ProvisionUser', data: { sipUri: `sip:${user}@${DOMAIN}`, displayName: user } });
      await run(user, { type: 'SetCredentials', data: { realm: DOMAIN, ...computeHa1(user, DOMAIN, PASSWORD) } });
    }
    await waitUntil('bob is in the directory view', () => directoryReader(dirView).credentials(`sip:bob@${DOMAIN}`) !== null);
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await plane.frontEnd.close();
    await Promise.all(views.map((v) => v.close()));
    await store.close();
  });

  const port = (protocol: string) => plane.listening.find((l) => l.protocol === protocol)?.port ?? assert.fail(`no ${protocol} listener`);

  it('listens on UDP and TCP of SIP_HOST (SIP_TRANSPORTS default) and answers OPTIONS on both', async () => {
    assert.deepEqual(plane.listening.map((l) => [l.protocol, l.address]).sort(), [['tcp', '127.0.0.1'], ['udp', '127.0.0.1']]);
    const udp = await new UdpPeer(port('udp')).open();
    const tcp = await new TcpPeer(port('tcp')).open();
    peers.push(udp, tcp);
    for (const peer of [udp, tcp]) {
      const callId = `${randomBytes(4).toString('hex')}@127.0.0.1`;
      peer.send(request(peer, { method: 'OPTIONS', uri: `sip:${DOMAIN}`, callId }));
      const ok = await finalResponse(peer, callId, 1);
      assert.equal(ok.status, 200, peer.transport);
      assert.match(ok.headers.get('Allow') ?? '', /MESSAGE/);
    }
  });

  it('wires the environment through: IM_ARCHIVE=false keeps no text, the node id is in the metadata', async () => {
    const bob = await new UdpPeer(port('udp')).open();
    const alice = await new UdpPeer(port('udp')).open();
    peers.push(bob, alice);
    const reg = await sendWithAuth(bob, 'bob', { method: 'REGISTER', uri: `sip:${DOMAIN}`, to: `<sip:bob@${DOMAIN}>`, headers: [['Expires', '300']] });
    assert.equal(reg.final.status, 200);
    await waitUntil('bob is registered', () => location.isRegistered(`sip:bob@${DOMAIN}`, new Date().toISOString()));

    const sending = sendWithAuth(alice, 'alice', { method: 'MESSAGE', uri: `sip:bob@127.0.0.1:${port('udp')}`, headers: [['Content-Type', 'text/plain']], body: 'off the record' });
    const m = await bob.inbox.request('MESSAGE');
    bob.send(respond(bob, m, 202, 'bob'));
    assert.equal((await sending).final.status, 202, 'a MESSAGE to our own address is for the domain user');

    await waitUntil('the delivery is recorded', async () => (await store.readAll({ filter: { categories: ['im'] } })).some((e) => e.type === 'im.message_delivered.v1'));
    const sent = (await store.readAll({ filter: { categories: ['im'] } })).find((e) => e.type === 'im.message_sent.v1');
    assert.equal(sent?.type === 'im.message_sent.v1' && sent.data.body, null);
    assert.equal(sent?.metadata.node, 'factory-node');
  });
});
