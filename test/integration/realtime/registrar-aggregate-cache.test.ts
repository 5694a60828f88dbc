import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AggregateCache } from '../../../src/commands/aggregate-cache.ts';
import { handleCommand, type CommandMetadata } from '../../../src/commands/command-handler.ts';
import { DomainError } from '../../../src/commands/domain-error.ts';
import { foldStreamFrom } from '../../../src/commands/stream-fold.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import type { BindingCommand } from '../../../src/realtime/registrar/binding-ledger.ts';
import { EventStoreBindingLedger } from '../../../src/realtime/registrar/event-store-binding-ledger.ts';

/**
 * Two registrar nodes, each with its own aggregate cache, writing the same
 * users' streams: the Pool edition's situation. On PostgreSQL (DATABASE_URL)
 * each node has its own store, pool and group committer, as two processes
 * would; without it both share one PGlite log, which still makes every cache
 * stale the moment the other node writes.
 */
const url = process.env['DATABASE_URL'];
const metadata: CommandMetadata = { correlationId: 'test', causationId: null, actor: 'system:test', node: 'test' };

let nodeStores: [EventStore<DomainEvent>, EventStore<DomainEvent>];
const toClose: EventStore<DomainEvent>[] = [];

before(async () => {
  if (url) {
    const a = await PostgresEventStore.open({ connectionString: url, catalogue: domainCatalogue, listen: false });
    const b = await PostgresEventStore.open({ connectionString: url, catalogue: domainCatalogue, listen: false });
    toClose.push(a, b);
    nodeStores = [a, b];
  } else {
    const shared = await PgliteEventStore.open({ catalogue: domainCatalogue });
    toClose.push(shared);
    nodeStores = [shared, shared];
  }
});
after(async () => {
  for (const s of toClose) await s.close();
});

/** A fresh user per test: the PostgreSQL log is shared with earlier runs. */
async function provisionUser(maxEndpoints: number): Promise<string> {
  const aor = `sip:cache-${randomBytes(4).toString('hex')}@example.test`;
  await handleCommand({
    store: nodeStores[0],
    decider: userDecider,
    streamId: userStreamId(aor),
    command: { type: 'ProvisionUser', data: { sipUri: aor, displayName: 'cache test', maxEndpoints } },
    context: { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') },
    metadata,
  });
  return aor;
}

const register = (n: number): BindingCommand => ({
  type: 'RegisterEndpoint',
  data: { contact: `sip:phone@10.0.0.${n}:5060`, transport: 'udp', sourceAddress: `10.0.0.${n}:5060`, expiresSeconds: 3600 },
});

function nodes() {
  const caches = [new AggregateCache(), new AggregateCache()] as const;
  const ledgers = [
    new EventStoreBindingLedger({ store: nodeStores[0], aggregates: caches[0] }),
    new EventStoreBindingLedger({ store: nodeStores[1], aggregates: caches[1] }),
  ] as const;
  return { caches, ledgers };
}

async function streamTypes(aor: string): Promise<string[]> {
  return (await nodeStores[0].readStream(userStreamId(aor))).map((e) => e.type);
}

describe('registrar nodes with aggregate caches on one log', { timeout: 60_000 }, () => {
  it('a stale node refreshes the binding the other node registered: one endpoint.registered, never two', async () => {
    const aor = await provisionUser(4);
    const { ledgers, caches } = nodes();
    await ledgers[0].apply(aor, [register(1)], metadata); // node A warms its cache
    await ledgers[1].apply(aor, [register(2)], metadata); // node B writes: A's entry is stale
    const outcome = await ledgers[0].apply(aor, [register(2)], metadata);
    assert.deepEqual(outcome.events.map((e) => e.type), ['endpoint.refreshed.v1']);
    assert.deepEqual(outcome.bindings.map((b) => b.contact).sort(), ['sip:phone@10.0.0.1:5060', 'sip:phone@10.0.0.2:5060']);
    assert.deepEqual(await streamTypes(aor), [
      'directory.user_provisioned.v1',
      'endpoint.registered.v1',
      'endpoint.registered.v1',
      'endpoint.refreshed.v1',
    ]);
    assert.equal(caches[0].get(userStreamId(aor), userDecider.evolve)?.version, 3);
  });

  it('a stale node is refused once it has caught up with the other node filling the last slot; nothing is written', async () => {
    const aor = await provisionUser(2);
    const { ledgers } = nodes();
    await ledgers[0].apply(aor, [register(1)], metadata);
    await ledgers[1].apply(aor, [register(2)], metadata);
    await assert.rejects(ledgers[0].apply(aor, [register(3)], metadata), (e: unknown) => e instanceof DomainError && e.code === 'endpoint_limit');
    assert.deepEqual(await streamTypes(aor), ['directory.user_provisioned.v1', 'endpoint.registered.v1', 'endpoint.registered.v1']);
  });

  it('concurrent REGISTER refreshes from both nodes: every one lands once, versions stay contiguous, both caches agree with the log', async () => {
    const aor = await provisionUser(2);
    const { ledgers, caches } = nodes();
    await ledgers[0].apply(aor, [register(1)], metadata);
    await ledgers[1].apply(aor, [register(2)], metadata);
    const rounds = 15;
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < rounds; i++) {
      work.push(ledgers[0].apply(aor, [register(1 + (i % 2))], metadata));
      work.push(ledgers[1].apply(aor, [register(2 - (i % 2))], metadata));
    }
    const settled = await Promise.allSettled(work);
    const failed = settled.filter((s) => s.status === 'rejected');
    // Five attempts each against one competitor: a give-up would be a ConcurrencyError, and would write nothing.
    const written = settled.length - failed.length;
    const stream = await nodeStores[0].readStream(userStreamId(aor));
    assert.deepEqual(stream.map((e) => e.streamVersion), stream.map((_, i) => i));
    assert.equal(stream.filter((e) => e.type === 'endpoint.registered.v1').length, 2, 'the two contacts were registered once each');
    assert.equal(stream.filter((e) => e.type === 'endpoint.refreshed.v1').length, written, 'one refresh per successful REGISTER');
    const truth = await foldStreamFrom(nodeStores[0], userDecider, userStreamId(aor), { state: userDecider.initialState(), version: null });
    assert.equal(truth.state.status === 'active' && truth.state.endpoints.size, 2);
    for (const cache of caches) {
      // Whatever a cache holds is the log's state at that version (it may lag behind the other node's last write).
      const held = cache.get(userStreamId(aor), userDecider.evolve);
      assert.ok(held);
      const heldVersion = held.version ?? -1;
      const atVersion = stream.filter((e) => e.streamVersion <= heldVersion);
      let state = userDecider.initialState();
      for (const e of atVersion) state = userDecider.evolve(state, e as Parameters<typeof userDecider.evolve>[1]);
      assert.deepEqual(held.state, state);
    }
  });
});
