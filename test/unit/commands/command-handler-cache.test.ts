import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { AggregateCache } from '../../../src/commands/aggregate-cache.ts';
import { handleCommand, type CommandMetadata } from '../../../src/commands/command-handler.ts';
import { DomainError } from '../../../src/commands/domain-error.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { InMemoryEventStoreTestDouble } from '../support/in-memory-event-store.test-double.ts';
import { T0 } from './spec.ts';

const ALICE = 'sip:alice@example.test';
const STREAM = userStreamId(ALICE);
const metadata: CommandMetadata = { correlationId: 'req-1', causationId: null, actor: 'admin', node: 'fe1' };

let eventSeq = 0;
const eventIds = () => () => uuidv7({ msecs: 1_714_554_000_000 + eventSeq++, random: new Uint8Array(16) });
let idSeq = 0;
const newId = () => `ep-${++idSeq}`;

type Store = InMemoryEventStoreTestDouble<DomainEvent>;

/** One node's command path: with its own cache, or none (the API of another node, say). */
function run(store: Store, command: UserCommand, cache?: AggregateCache) {
  return handleCommand({
    store,
    decider: userDecider,
    streamId: STREAM,
    command,
    context: { now: () => T0, newId },
    metadata,
    newEventId: eventIds(),
    ...(cache ? { cache } : {}),
  });
}

const provision = (maxEndpoints: number): UserCommand => ({
  type: 'ProvisionUser',
  data: { sipUri: ALICE, displayName: 'Alice', maxEndpoints },
});
const register = (n: number): UserCommand => ({
  type: 'RegisterEndpoint',
  data: { contact: `sip:alice@10.0.0.${n}`, transport: 'udp', sourceAddress: `192.0.2.${n}:5060`, expiresSeconds: 3600 },
});
const unregister = (n: number): UserCommand => ({ type: 'UnregisterEndpoint', data: { contact: `sip:alice@10.0.0.${n}` } });

async function types(store: Store): Promise<string[]> {
  return (await store.readStream(STREAM)).map((e) => e.type);
}

describe('handleCommand with an aggregate cache', () => {
  it('decides on the cached state without reading the stream, and appends at the cached version', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const cache = new AggregateCache();
    await run(store, provision(4), cache);
    store.reads.length = 0;
    for (let n = 1; n <= 3; n++) {
      const outcome = await run(store, register(n), cache);
      assert.equal(outcome.attempts, 1);
      assert.equal(outcome.streamVersion, n);
    }
    assert.deepEqual(store.reads, [], 'a warm cache reads nothing');
    assert.equal(cache.get(STREAM, userDecider.evolve)?.version, 3);
    const state = cache.get(STREAM, userDecider.evolve)?.state;
    assert.equal(state?.status === 'active' && state.endpoints.size, 3);
  });

  it('stale entry, same contact registered by another node: conflict, reads only the new events, refreshes instead of registering twice', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const nodeA = new AggregateCache();
    await run(store, provision(4), nodeA);
    await run(store, register(1)); // another node, its own (no) cache: nodeA's entry is now stale at version 0
    store.reads.length = 0;
    const outcome = await run(store, register(1), nodeA);
    assert.equal(outcome.attempts, 2);
    assert.deepEqual(outcome.events.map((e) => e.type), ['endpoint.refreshed.v1']);
    assert.deepEqual(store.reads.map((r) => r.options.fromVersion), [1], 'only what follows the cached version is read');
    assert.deepEqual(await types(store), ['directory.user_provisioned.v1', 'endpoint.registered.v1', 'endpoint.refreshed.v1']);
    assert.equal(nodeA.get(STREAM, userDecider.evolve)?.version, 2);
  });

  it('stale entry, the other node filled the last slot: refused after catching up, nothing written', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const nodeA = new AggregateCache();
    await run(store, provision(1), nodeA);
    await run(store, register(9));
    await assert.rejects(run(store, register(1), nodeA), (e: unknown) => e instanceof DomainError && e.code === 'endpoint_limit');
    assert.deepEqual(await types(store), ['directory.user_provisioned.v1', 'endpoint.registered.v1']);
    assert.equal(nodeA.get(STREAM, userDecider.evolve)?.version, 1, 'the catch-up is remembered');
  });

  it('a refusal on a stale entry is checked against the log: the slot another node freed is taken', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const nodeA = new AggregateCache();
    await run(store, provision(1), nodeA);
    await run(store, register(9), nodeA); // nodeA knows the one slot is taken
    await run(store, unregister(9)); // another node frees it
    const outcome = await run(store, register(1), nodeA);
    assert.deepEqual(outcome.events.map((e) => e.type), ['endpoint.registered.v1']);
    assert.deepEqual(await types(store), [
      'directory.user_provisioned.v1',
      'endpoint.registered.v1',
      'endpoint.unregistered.v1',
      'endpoint.registered.v1',
    ]);
  });

  it('"nothing to do" on a stale entry is checked against the log: the binding another node added is removed', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const nodeA = new AggregateCache();
    await run(store, provision(2), nodeA);
    await run(store, register(1)); // nodeA does not know of this binding
    const outcome = await run(store, unregister(1), nodeA);
    assert.deepEqual(outcome.events.map((e) => e.type), ['endpoint.unregistered.v1']);
    assert.deepEqual(await types(store), ['directory.user_provisioned.v1', 'endpoint.registered.v1', 'endpoint.unregistered.v1']);
  });

  it('an empty decision on a current entry costs one read of nothing and writes nothing', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const cache = new AggregateCache();
    await run(store, provision(2), cache);
    store.reads.length = 0;
    const outcome = await run(store, unregister(5), cache);
    assert.deepEqual(outcome.events, []);
    assert.equal(outcome.appendResult, null);
    assert.deepEqual(store.reads.map((r) => r.options.fromVersion), [1]);
    assert.deepEqual(await types(store), ['directory.user_provisioned.v1']);
  });

  it('a user deprovisioned elsewhere is refused, never re-registered from the cached active state', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const nodeA = new AggregateCache();
    await run(store, provision(2), nodeA);
    await run(store, { type: 'DeprovisionUser', data: {} });
    await assert.rejects(run(store, register(1), nodeA), DomainError);
    assert.deepEqual(await types(store), ['directory.user_provisioned.v1', 'directory.user_deprovisioned.v1']);
  });

  it('concurrent commands of one node on one stream: the loser catches up and both are written once', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const cache = new AggregateCache();
    await run(store, provision(4), cache);
    const outcomes = await Promise.all([run(store, register(1), cache), run(store, register(2), cache)]);
    assert.deepEqual(outcomes.map((o) => o.attempts).sort(), [1, 2]);
    assert.deepEqual(await types(store), ['directory.user_provisioned.v1', 'endpoint.registered.v1', 'endpoint.registered.v1']);
    const cached = cache.get(STREAM, userDecider.evolve);
    assert.equal(cached?.version, 2);
    assert.equal(cached?.state.status === 'active' && cached.state.endpoints.size, 2);
  });

  it('forgets the stream when an append fails for another reason than a conflict (outcome unknown)', async () => {
    const store = new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
    const cache = new AggregateCache();
    await run(store, provision(4), cache);
    store.beforeAppend = async () => {
      throw new Error('connection lost');
    };
    await assert.rejects(run(store, register(1), cache), /connection lost/);
    assert.equal(cache.get(STREAM, userDecider.evolve), undefined);
  });
});
