import assert from 'node:assert/strict';
import { deserialize } from 'node:v8';
import { after, before, describe, it } from 'node:test';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import type { AsOfFold } from '../../../src/projections/as-of/as-of-fold.ts';
import { AsOfSnapshots, foldWithoutSnapshots } from '../../../src/projections/as-of/as-of-snapshots.ts';
import { describeRouting, routingFromFold } from '../../../src/projections/as-of/routing-as-of.ts';
import { userFromFold, type UserAsOf } from '../../../src/projections/as-of/user-as-of.ts';
import { UnknownUserAtInstantError, userAsOf } from '../../../src/projections/as-of/index.ts';
import { directoryReader, directoryView } from '../../../src/projections/directory/index.ts';
import { InMemoryView } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView } from '../../../src/projections/location/index.ts';
import { createPresenceReader, presenceView } from '../../../src/projections/presence/index.ts';
import { routingReader, routingView } from '../../../src/projections/routing/index.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { HISTORY_USERS, seedAsOfHistory } from '../../support/as-of-history.ts';
import { InMemoryEventStore } from '../../support/in-memory-event-store.ts';
import { readModelBackends } from '../../support/projection-backends.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';

type Answer = UserAsOf | 'unknown';

function answer(fold: AsOfFold, sipUri: string, at: string): Answer {
  try {
    return userFromFold(fold, sipUri, at);
  } catch (error) {
    if (error instanceof UnknownUserAtInstantError) return 'unknown';
    throw error;
  }
}

/** Every distinct recordedAt, a millisecond either side, before the log and after it; thinned to at most `max`. */
async function instantsOf(store: EventStore<DomainEvent>, max: number): Promise<string[]> {
  const ms = new Set<number>();
  for (const event of await store.readAll({ limit: 10_000 })) {
    const t = Date.parse(event.metadata.recordedAt);
    ms.add(t - 1).add(t).add(t + 1);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const stride = Math.max(1, Math.ceil(sorted.length / max));
  const picked = sorted.filter((_, i) => i % stride === 0);
  return [sorted[0]! - 60_000, ...picked, sorted.at(-1)!, sorted.at(-1)! + 60_000].map((t) => new Date(t).toISOString());
}

/** Snapshot and full-scan folds agree byte for byte and answer every user and the routing query identically. */
async function assertSameAnswers(store: EventStore<DomainEvent>, snapshots: AsOfSnapshots, instants: readonly string[]): Promise<void> {
  for (const at of instants) {
    const [reference, snapshotted] = [await foldWithoutSnapshots(store, at), await snapshots.foldAt(at)];
    // Structural, not byte, equality: v8 may encode a deserialized array in its sparse form.
    assert.deepStrictEqual(deserialize(snapshotted.serialize()), deserialize(reference.serialize()), `fold at ${at}`);
    for (const sipUri of HISTORY_USERS) assert.deepEqual(answer(snapshotted, sipUri, at), answer(reference, sipUri, at), `${sipUri} at ${at}`);
    assert.deepEqual(routingFromFold(snapshotted, at), routingFromFold(reference, at), `routing at ${at}`);
  }
}

for (const backend of readModelBackends) {
  describe(`as-of snapshots on ${backend.name}`, { skip: backend.skip ?? false }, () => {
    let client: SqlClient;
    let store: EventStore<DomainEvent>;

    before(async () => {
      client = await backend.open();
      await backend.reset(client);
      store = await openDomainEventStore(client);
      await seedAsOfHistory(store, { rounds: 30 });
    });

    after(async () => {
      await store.close();
      await client.close();
    });

    it('with and without snapshots the answers are identical at every recorded instant and around it', async () => {
      const snapshots = new AsOfSnapshots({ store, client, interval: 7, pageSize: 5 });
      await assertSameAnswers(store, snapshots, await instantsOf(store, 60));
      const events = (await store.readAll({ limit: 10_000 })).length;
      assert.equal(await snapshots.count(), Math.floor(events / 7), 'one snapshot per 7 as-of events');
      const viaUserAsOf = await userAsOf(store, 'sip:alice@example.test', '2999-01-01T00:00:00.000Z', { snapshots });
      assert.deepEqual(viaUserAsOf, await userAsOf(store, 'sip:alice@example.test', '2999-01-01T00:00:00.000Z'));
    });

    it('snapshots are a function of the log: rewritten from scratch, or resumed half-way, by another instance they are the same', async () => {
      const first = new AsOfSnapshots({ store, client, interval: 7 });
      await first.catchUp();
      const dump = async () =>
        (
          await client.query<{ position: string; events: string; max_ms: string; min_ms: string; state: Uint8Array }>(
            'SELECT position::text AS position, events::text AS events, max_recorded_ms::text AS max_ms, interval_min_recorded_ms::text AS min_ms, state FROM as_of_snapshots ORDER BY position',
          )
        ).rows.map((r) => ({ ...r, state: deserialize(r.state) as unknown }));
      const before = await dump();
      assert.ok(before.length > 10);
      await client.query('DELETE FROM as_of_snapshots');
      await new AsOfSnapshots({ store, client, interval: 7, pageSize: 3 }).catchUp();
      assert.deepStrictEqual(await dump(), before);
      await client.query('DELETE FROM as_of_snapshots WHERE position > $1', [before[Math.floor(before.length / 2)]!.position]);
      await new AsOfSnapshots({ store, client, interval: 7 }).catchUp();
      assert.deepStrictEqual(await dump(), before);
    });

    it('at the head of the log the answers equal the live views', async () => {
      const views = {
        directory: new InMemoryView({ store, definition: directoryView, logger: silentLogger }),
        location: new InMemoryView({ store, definition: locationView, logger: silentLogger }),
        presence: new InMemoryView({ store, definition: presenceView, logger: silentLogger }),
        routing: new InMemoryView({ store, definition: routingView, logger: silentLogger }),
      };
      const all = Object.values(views);
      await Promise.all(all.map((v) => v.start()));
      try {
        const head = await store.headPosition();
        await Promise.all(all.map((v) => v.waitForPosition(head, 10_000)));
        const last = (await store.readAll({ after: head - 1n, limit: 1 }))[0]!;
        const at = last.metadata.recordedAt;
        const snapshots = new AsOfSnapshots({ store, client, interval: 7 });
        const fold = await snapshots.foldAt(at);
        assert.equal(fold.position, head);
        assert.deepEqual(routingFromFold(fold, at).state, describeRouting(views.routing.state));
        for (const sipUri of HISTORY_USERS) {
          const profile = directoryReader(views.directory).user(sipUri);
          const a = answer(fold, sipUri, at);
          if (a === 'unknown') {
            assert.equal(profile, null);
            continue;
          }
          assert.equal(a.state.provisioned, profile !== null, sipUri);
          assert.equal(a.state.displayName, profile?.displayName ?? null);
          assert.deepEqual(a.state.presence, { ...createPresenceReader(views.presence).presenceOf(sipUri, at) });
          assert.deepEqual(a.state.registrations.map((r) => r.contact), createLocationReader(views.location).liveContacts(sipUri, at).map((b) => b.contact));
          assert.deepEqual(a.state.forwarding, routingReader(views.routing).voiceFeatures(sipUri)?.forwarding ?? null);
        }
      } finally {
        await Promise.all(all.map((v) => v.close()));
      }
    });

    it('a background catch-up writes the snapshots a query would, without one', async () => {
      await client.query('DELETE FROM as_of_snapshots');
      const events = (await store.readAll({ limit: 10_000 })).length;
      const snapshots = new AsOfSnapshots({ store, client, interval: 7 });
      const stop = snapshots.startBackground(20);
      try {
        await waitUntil('every due snapshot written', async () => (await snapshots.count()) === Math.floor(events / 7));
      } finally {
        await stop();
      }
    });

    it('when recordedAt runs backwards (a late-committing transaction), every instant still gets the full scan\'s answer', async () => {
      // Another log than the one above: its snapshots must not be mixed in.
      await client.query('DELETE FROM as_of_snapshots');
      let now = Date.parse('2025-03-03T09:00:00.000Z');
      const clock = () => new Date(now);
      const inner = new InMemoryEventStore<DomainEvent>(domainCatalogue, { clock });
      await seedAsOfHistory(inner, { rounds: 20, clock, beforeEach: () => (now += 1_000) });
      const store = new BackdatedStore(inner, await backdating(inner));
      assert.ok((await backdating(inner)).size > 5, 'the log really runs backwards in places');
      const snapshots = new AsOfSnapshots({ store, client, interval: 5, pageSize: 4 });
      const instants: string[] = [];
      for (let t = Date.parse('2025-03-03T08:59:00.000Z'); t <= now + 5_000; t += 250) instants.push(new Date(t).toISOString());
      await assertSameAnswers(store, snapshots, instants);
    });
  });
}

/**
 * Every third event stamped 2.5 s earlier than it was, as a transaction that
 * began before its neighbours but committed after them would be; never
 * earlier than its own stream's previous event (a command reads its stream
 * before it appends, so within a stream recordedAt cannot go back).
 */
async function backdating(store: EventStore<DomainEvent>): Promise<Map<bigint, string>> {
  const lastOfStream = new Map<string, number>();
  const moved = new Map<bigint, string>();
  for (const event of await store.readAll({ limit: 10_000 })) {
    let t = Date.parse(event.metadata.recordedAt);
    const earlier = t - 2_500;
    if (event.globalPosition % 3n === 0n && earlier > (lastOfStream.get(event.streamId) ?? 0)) {
      t = earlier;
      moved.set(event.globalPosition, new Date(t).toISOString());
    }
    lastOfStream.set(event.streamId, t);
  }
  return moved;
}

/** The log as the SQL stores could hand it out: positions in commit order, recordedAt from each transaction's start. */
class BackdatedStore implements EventStore<DomainEvent> {
  readonly kind = 'pglite' as const;
  readonly #inner: EventStore<DomainEvent>;
  readonly #moved: ReadonlyMap<bigint, string>;
  constructor(inner: EventStore<DomainEvent>, moved: ReadonlyMap<bigint, string>) {
    this.#inner = inner;
    this.#moved = moved;
  }
  #map = <T extends { globalPosition: bigint; metadata: { recordedAt: string } }>(events: T[]): T[] =>
    events.map((e) => {
      const recordedAt = this.#moved.get(e.globalPosition);
      return recordedAt === undefined ? e : { ...e, metadata: { ...e.metadata, recordedAt } };
    });
  append: EventStore<DomainEvent>['append'] = (...args) => this.#inner.append(...args);
  readStream: EventStore<DomainEvent>['readStream'] = async (...args) => this.#map(await this.#inner.readStream(...args));
  readAll: EventStore<DomainEvent>['readAll'] = async (...args) => this.#map(await this.#inner.readAll(...args));
  headPosition = () => this.#inner.headPosition();
  subscribe: EventStore<DomainEvent>['subscribe'] = (...args) => this.#inner.subscribe(...args);
  close = () => this.#inner.close();
}

