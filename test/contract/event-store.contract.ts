import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent, NewEventMetadata, RecordedEvent } from '../../src/events/envelope.ts';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  InvalidArgumentError,
  InvalidEventError,
  InvalidStreamNameError,
  UnknownEventTypeError,
} from '../../src/events/errors.ts';
import type { EventStore, EventSubscription, ReadAllFilter } from '../../src/events/event-store.ts';
import type { ExpectedVersion } from '../../src/events/expected-version.ts';
import type { FaultHooks } from '../../src/events/fault-hooks.ts';
import type { TestEvent } from './test-catalogue.ts';

/**
 * The behaviour every EventStore adapter must show. An adapter's integration
 * test calls `eventStoreContract` with a way to open a store whose log is EMPTY
 * (a fresh database, schema or namespace per call); every test opens its own
 * and closes it. Nothing here assumes positions start at 1 or are contiguous
 * (EventStoreDB's are commit positions): only that they strictly increase.
 */
export interface EventStoreContractTarget {
  readonly name: string;
  readonly open: (hooks: FaultHooks) => Promise<EventStore<TestEvent>>;
}

type TestNewEvent = NewEvent<TestEvent>;

const TEST_TIMEOUT_MS = 30_000;

/** `it` with a per-test bound, so a hang fails one test with a clear timeout instead of stalling the file. */
const scenario = (name: string, body: () => Promise<void>): void => {
  it(name, { timeout: TEST_TIMEOUT_MS }, body);
};

function metadata(overrides: Partial<NewEventMetadata> = {}): NewEventMetadata {
  return {
    occurredAt: '2026-01-02T03:04:05.678Z',
    correlationId: 'corr-1',
    causationId: null,
    actor: 'sip:alice@example.test',
    node: 'fe-1',
    ...overrides,
  };
}

const note = (text: string, author = 'alice'): TestNewEvent => ({
  id: uuidv7(),
  type: 'test.note_added.v2',
  data: { text, author },
  metadata: metadata(),
});

const bump = (writer: number, n: number): TestNewEvent => ({
  id: uuidv7(),
  type: 'test.counter_bumped.v1',
  data: { writer, n },
  metadata: metadata(),
});

const blob = (size: number): TestNewEvent => ({
  id: uuidv7(),
  type: 'test.blob_stored.v1',
  data: { blob: 'x'.repeat(size) },
  metadata: metadata(),
});

/** A stream name no other test (or earlier run against a shared server) uses. */
const fresh = (category: string): string => `${category}-${randomUUID()}`;

/** Reads a whole (small) log; adapters cap one read at 10,000 events. */
async function readWholeLog(store: EventStore<TestEvent>, filter?: ReadAllFilter): Promise<RecordedEvent<TestEvent>[]> {
  const all: RecordedEvent<TestEvent>[] = [];
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, limit: 10_000, ...(filter ? { filter } : {}) });
    if (page.length === 0) return all;
    all.push(...page);
    after = page[page.length - 1]!.globalPosition;
  }
}

function assertStrictlyIncreasing(events: readonly RecordedEvent<TestEvent>[]): void {
  for (let i = 1; i < events.length; i++)
    assert.ok(
      events[i]!.globalPosition > events[i - 1]!.globalPosition,
      `position ${events[i]!.globalPosition} follows ${events[i - 1]!.globalPosition}`,
    );
}

/** Collects what a subscription delivers and lets a test await a count (the test timeout bounds the wait). */
class SubscriptionProbe {
  readonly events: RecordedEvent<TestEvent>[] = [];
  readonly caughtUpAt: bigint[] = [];
  readonly subscription: EventSubscription;
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(store: EventStore<TestEvent>, after: bigint, filter?: ReadAllFilter, batchSize?: number) {
    this.subscription = store.subscribe(
      {
        after,
        ...(filter ? { filter } : {}),
        ...(batchSize ? { batchSize } : {}),
        onCaughtUp: (position) => {
          this.caughtUpAt.push(position);
          this.#wake();
        },
      },
      async (batch) => {
        this.events.push(...batch);
        this.#wake();
      },
    );
  }

  /** Resolves once at least `count` events arrived; rejects if the subscription dies first. */
  async waitForCount(count: number): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      this.#waiters.push({ count, resolve });
      this.#wake();
    });
    await Promise.race([reached, this.subscription.done.then(() => assert.fail('subscription stopped early'))]);
  }

  /** Resolves at the next onCaughtUp report at or after `position`. */
  async waitForCaughtUp(position: bigint): Promise<void> {
    for (;;) {
      if (this.caughtUpAt.some((p) => p >= position)) return;
      await new Promise<void>((resolve) => this.#waiters.push({ count: Number.POSITIVE_INFINITY, resolve }));
    }
  }

  #wake(): void {
    const ready = this.#waiters.filter((w) => this.events.length >= w.count || w.count === Number.POSITIVE_INFINITY);
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

export function eventStoreContract(target: EventStoreContractTarget): void {
  /** Opens an empty store, runs `body`, always closes it. */
  async function withStore(hooks: FaultHooks, body: (store: EventStore<TestEvent>) => Promise<void>): Promise<void> {
    const store = await target.open(hooks);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  }

  describe(`EventStore contract: ${target.name}`, () => {
    describe('optimistic concurrency', () => {
      scenario('given 16 writers racing on one stream with the version they read, when each writes K events, then every version has exactly one winner and nothing is lost or duplicated', async () => {
        await withStore({}, async (store) => {
          const stream = fresh('counter');
          const writers = 16;
          const perWriter = 4;
          let conflicts = 0;
          const writeAll = async (writer: number): Promise<void> => {
            for (let n = 0; n < perWriter; ) {
              const [last] = await store.readStream(stream, { direction: 'backward', limit: 1 });
              const expected: ExpectedVersion = last ? last.streamVersion : 'no_stream';
              try {
                const result = await store.append(stream, [bump(writer, n)], { expectedVersion: expected });
                assert.equal(result.nextExpectedVersion, last ? last.streamVersion + 1 : 0);
                n += 1;
              } catch (err) {
                assert.ok(err instanceof ConcurrencyError, `writer ${writer} got ${String(err)}`);
                assert.equal(err.streamId, stream);
                assert.equal(err.expected, expected);
                // The loser must be told a version that is newer than the one it read.
                assert.equal(typeof err.actual, 'number');
                if (typeof expected === 'number') assert.ok((err.actual as number) > expected);
                conflicts += 1;
              }
            }
          };
          await Promise.all(Array.from({ length: writers }, (_, w) => writeAll(w)));

          const events = await store.readStream(stream, { limit: 10_000 });
          const total = writers * perWriter;
          assert.deepEqual(
            events.map((e) => e.streamVersion),
            Array.from({ length: total }, (_, i) => i),
          );
          const seen = events.map((e) => (e.type === 'test.counter_bumped.v1' ? `${e.data.writer}/${e.data.n}` : e.type));
          assert.equal(new Set(seen).size, total, 'no event written twice');
          for (let w = 0; w < writers; w++) {
            const mine = events.flatMap((e) => (e.type === 'test.counter_bumped.v1' && e.data.writer === w ? [e.data.n] : []));
            assert.deepEqual(mine, Array.from({ length: perWriter }, (_, i) => i), `writer ${w} wrote its events in order`);
          }
          assertStrictlyIncreasing(events);
          // With 16 racers on one stream somebody must have lost at least once; if not, the test raced nothing.
          assert.ok(conflicts > 0, 'the writers never conflicted');
        });
      });

      scenario('given a new stream, when appending with no_stream, exists, any or a number, then only no_stream and any succeed and failures report no_stream', async () => {
        await withStore({}, async (store) => {
          const a = fresh('note');
          await assert.rejects(store.append(a, [note('x')], { expectedVersion: 'exists' }), (err: unknown) => {
            assert.ok(err instanceof ConcurrencyError);
            assert.deepEqual([err.expected, err.actual], ['exists', 'no_stream']);
            return true;
          });
          await assert.rejects(store.append(a, [note('x')], { expectedVersion: 0 }), (err: unknown) => {
            assert.ok(err instanceof ConcurrencyError);
            assert.deepEqual([err.expected, err.actual], [0, 'no_stream']);
            return true;
          });
          assert.deepEqual(await store.readStream(a), []);

          const first = await store.append(a, [note('1'), note('2')], { expectedVersion: 'no_stream' });
          assert.equal(first.nextExpectedVersion, 1);
          assert.equal(first.positions.length, 2);
          assert.equal(first.duplicate, false);

          const b = fresh('note');
          assert.equal((await store.append(b, [note('1')], { expectedVersion: 'any' })).nextExpectedVersion, 0);
        });
      });

      scenario('given a stream at version 1, when appending with no_stream or a stale number, then ConcurrencyError carries the actual version and nothing is written', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          await store.append(s, [note('1'), note('2')], { expectedVersion: 'no_stream' });
          await assert.rejects(store.append(s, [note('x')], { expectedVersion: 'no_stream' }), (err: unknown) => {
            assert.ok(err instanceof ConcurrencyError);
            assert.deepEqual([err.expected, err.actual], ['no_stream', 1]);
            return true;
          });
          await assert.rejects(store.append(s, [note('x')], { expectedVersion: 0 }), (err: unknown) => {
            assert.ok(err instanceof ConcurrencyError);
            assert.deepEqual([err.expected, err.actual], [0, 1]);
            return true;
          });
          await assert.rejects(store.append(s, [note('x')], { expectedVersion: 7 }), ConcurrencyError);
          assert.equal((await store.readStream(s)).length, 2);

          assert.equal((await store.append(s, [note('3')], { expectedVersion: 1 })).nextExpectedVersion, 2);
          assert.equal((await store.append(s, [note('4')], { expectedVersion: 'exists' })).nextExpectedVersion, 3);
          assert.equal((await store.append(s, [note('5')], { expectedVersion: 'any' })).nextExpectedVersion, 4);
          assert.deepEqual(
            (await store.readStream(s)).map((e) => (e.type === 'test.note_added.v2' ? e.data.text : '')),
            ['1', '2', '3', '4', '5'],
          );
        });
      });

      scenario('given concurrent appends to different streams where one expects a wrong version, when they commit together, then only that one fails', async () => {
        await withStore({}, async (store) => {
          const streams = Array.from({ length: 10 }, () => fresh('counter'));
          const results = await Promise.allSettled(
            streams.map((s, i) => store.append(s, [bump(i, 0)], { expectedVersion: i === 3 ? 0 : 'no_stream' })),
          );
          results.forEach((r, i) => {
            if (i === 3) assert.ok(r.status === 'rejected' && r.reason instanceof ConcurrencyError, `append ${i}: ${r.status}`);
            else assert.equal(r.status, 'fulfilled', `append ${i}: ${r.status === 'rejected' ? String(r.reason) : ''}`);
          });
          const written = await readWholeLog(store);
          assert.deepEqual(
            new Set(written.map((e) => e.streamId)),
            new Set(streams.filter((_, i) => i !== 3)),
          );
        });
      });
    });

    describe('idempotency by event id', () => {
      scenario('given an append that committed, when it is retried with the same events, then the original positions come back and nothing is written', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          const events = [note('a'), note('b'), note('c')];
          const first = await store.append(s, events, { expectedVersion: 'no_stream' });
          const headBefore = await store.headPosition();

          // The retry carries the same expected version, which no longer holds: the ids decide.
          const retry = await store.append(s, events, { expectedVersion: 'no_stream' });
          assert.equal(retry.duplicate, true);
          assert.deepEqual(retry.positions, first.positions);
          assert.equal(retry.nextExpectedVersion, first.nextExpectedVersion);
          assert.equal(await store.headPosition(), headBefore);
          assert.equal((await readWholeLog(store)).length, 3);
        });
      });

      scenario('given a stored event id, when it is appended again with other content, then DuplicateEventIdError names it and nothing is written', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          const original = note('original');
          await store.append(s, [original], { expectedVersion: 'no_stream' });
          const impostor: TestNewEvent = { ...original, type: 'test.note_added.v2', data: { text: 'changed', author: 'mallory' } };
          await assert.rejects(store.append(s, [impostor], { expectedVersion: 'any' }), (err: unknown) => {
            assert.ok(err instanceof DuplicateEventIdError);
            assert.equal(err.eventId, original.id);
            return true;
          });
          // Same content in another stream is other content too.
          await assert.rejects(store.append(fresh('note'), [original], { expectedVersion: 'any' }), DuplicateEventIdError);
          const log = await readWholeLog(store);
          assert.equal(log.length, 1);
          assert.deepEqual(log[0]!.data, { text: 'original', author: 'alice' });
        });
      });

      scenario('given a stored event id, when an append mixes it with new events, then DuplicateEventIdError and the new events are not written', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          const old = note('old');
          await store.append(s, [old], { expectedVersion: 'no_stream' });
          const added = note('new');
          await assert.rejects(store.append(s, [old, added], { expectedVersion: 'any' }), (err: unknown) => {
            assert.ok(err instanceof DuplicateEventIdError);
            assert.equal(err.eventId, old.id);
            return true;
          });
          assert.deepEqual((await readWholeLog(store)).map((e) => e.id), [old.id]);
        });
      });
    });

    describe('reading', () => {
      scenario('given interleaved concurrent appends to several streams, when reading all, then positions strictly increase and each stream appears in version order', async () => {
        await withStore({}, async (store) => {
          const streams = Array.from({ length: 6 }, () => fresh('counter'));
          await Promise.all(
            streams.map(async (s, w) => {
              for (let n = 0; n < 8; n++) await store.append(s, [bump(w, n), bump(w, n + 100)], { expectedVersion: 'any' });
            }),
          );
          const log = await readWholeLog(store);
          assert.equal(log.length, 6 * 8 * 2);
          assertStrictlyIncreasing(log);
          for (const s of streams)
            assert.deepEqual(
              log.filter((e) => e.streamId === s).map((e) => e.streamVersion),
              Array.from({ length: 16 }, (_, i) => i),
            );
          assert.equal(await store.headPosition(), log[log.length - 1]!.globalPosition);

          // `after` is exclusive and pages join without overlap or holes.
          const middle = log[40]!.globalPosition;
          assert.deepEqual(
            (await store.readAll({ after: middle, limit: 10 })).map((e) => e.id),
            log.slice(41, 51).map((e) => e.id),
          );
          assert.deepEqual(await store.readAll({ after: await store.headPosition() }), []);
        });
      });

      scenario('given a stream of 10 events, when reading forward, backward, from a version and with a limit, then exactly the asked slice comes back', async () => {
        await withStore({}, async (store) => {
          const s = fresh('counter');
          await store.append(s, Array.from({ length: 10 }, (_, n) => bump(1, n)), { expectedVersion: 'no_stream' });
          const versions = (events: RecordedEvent<TestEvent>[]): number[] => events.map((e) => e.streamVersion);

          assert.deepEqual(versions(await store.readStream(s)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
          assert.deepEqual(versions(await store.readStream(s, { fromVersion: 3, limit: 4 })), [3, 4, 5, 6]);
          assert.deepEqual(versions(await store.readStream(s, { direction: 'backward' })), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
          assert.deepEqual(versions(await store.readStream(s, { direction: 'backward', fromVersion: 5, limit: 3 })), [5, 4, 3]);
          assert.deepEqual(versions(await store.readStream(s, { direction: 'backward', limit: 1 })), [9]);
          assert.deepEqual(versions(await store.readStream(s, { fromVersion: 8, limit: 100 })), [8, 9]);
        });
      });

      scenario('given a stream, when reading past its end or a stream that does not exist, then the result is empty', async () => {
        await withStore({}, async (store) => {
          const s = fresh('counter');
          await store.append(s, [bump(1, 0), bump(1, 1)], { expectedVersion: 'no_stream' });
          assert.deepEqual(await store.readStream(s, { fromVersion: 2 }), []);
          assert.deepEqual(await store.readStream(s, { fromVersion: 1000 }), []);
          assert.deepEqual(await store.readStream(fresh('counter')), []);
          assert.deepEqual(await store.readStream(fresh('counter'), { direction: 'backward' }), []);
        });
      });

      scenario('given out-of-range read options, when reading, then InvalidArgumentError', async () => {
        await withStore({}, async (store) => {
          const s = fresh('counter');
          await assert.rejects(store.readStream(s, { limit: 0 }), InvalidArgumentError);
          await assert.rejects(store.readStream(s, { limit: 10_001 }), InvalidArgumentError);
          await assert.rejects(store.readStream(s, { fromVersion: -1 }), InvalidArgumentError);
          await assert.rejects(store.readAll({ after: -1n }), InvalidArgumentError);
          await assert.rejects(store.readAll({ limit: 1.5 }), InvalidArgumentError);
          await assert.rejects(store.readStream('no dash'), InvalidStreamNameError);
        });
      });

      scenario('given a 1 MiB event, when it is appended and read back, then its data is identical', async () => {
        await withStore({}, async (store) => {
          const s = fresh('blob');
          const big = blob(1024 * 1024);
          await store.append(s, [big], { expectedVersion: 'no_stream' });
          const [back] = await store.readStream(s);
          assert.ok(back);
          assert.equal(back.id, big.id);
          assert.deepEqual(back.data, big.data);
        });
      });

      scenario('given an appended event, when it is read, then its envelope carries id, stream, version, position and metadata with recordedAt', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          const e = note('hello', 'bob');
          const { positions } = await store.append(s, [e], { expectedVersion: 'no_stream' });
          const [back] = await store.readStream(s);
          assert.ok(back);
          assert.equal(back.type, 'test.note_added.v2');
          assert.deepEqual(back.data, { text: 'hello', author: 'bob' });
          assert.equal(back.id, e.id);
          assert.equal(back.streamId, s);
          assert.equal(back.streamVersion, 0);
          assert.equal(back.globalPosition, positions[0]);
          assert.equal(typeof back.globalPosition, 'bigint');
          const { recordedAt, ...rest } = back.metadata;
          assert.deepEqual(rest, e.metadata);
          assert.ok(!Number.isNaN(Date.parse(recordedAt)), `recordedAt ${recordedAt} is a timestamp`);
        });
      });

      scenario('given events of several types and categories, when reading all with filters, then only matching events come back in global order', async () => {
        await withStore({}, async (store) => {
          const noteStream = fresh('note');
          const counterStream = fresh('counter');
          const otherNotes = fresh('journal');
          for (let i = 0; i < 5; i++) {
            await store.append(noteStream, [note(`n${i}`)], { expectedVersion: 'any' });
            await store.append(counterStream, [bump(1, i)], { expectedVersion: 'any' });
            await store.append(otherNotes, [note(`j${i}`), bump(2, i)], { expectedVersion: 'any' });
          }
          const notes = await store.readAll({ filter: { typePrefixes: ['test.note_'] } });
          assert.equal(notes.length, 10);
          assert.ok(notes.every((e) => e.type === 'test.note_added.v2'));
          assertStrictlyIncreasing(notes);

          const byCategory = await store.readAll({ filter: { categories: ['counter', 'note'] } });
          assert.deepEqual(new Set(byCategory.map((e) => e.streamId)), new Set([noteStream, counterStream]));
          assert.equal(byCategory.length, 10);

          const both = await store.readAll({ filter: { typePrefixes: ['test.counter'], categories: ['journal'] } });
          assert.equal(both.length, 5);
          assert.ok(both.every((e) => e.streamId === otherNotes && e.type === 'test.counter_bumped.v1'));

          // `_` is a literal in a prefix, not a wildcard.
          assert.deepEqual(await store.readAll({ filter: { typePrefixes: ['test_'] } }), []);
          const limited = await store.readAll({ limit: 3, filter: { typePrefixes: ['test.note'] } });
          assert.deepEqual(limited.map((e) => e.id), notes.slice(0, 3).map((e) => e.id));
        });
      });
    });

    describe('bad input', () => {
      const cases: { name: string; stream?: string; events: () => unknown[]; error: new (...args: never[]) => Error }[] = [
        { name: 'an invalid stream name', stream: 'Not A Stream', events: () => [note('x')], error: InvalidStreamNameError },
        { name: 'a stream name without category', stream: '-abc', events: () => [note('x')], error: InvalidStreamNameError },
        {
          name: 'data failing its schema',
          events: () => [note('ok'), { ...note('x'), data: { text: 42, author: 'a' } }],
          error: InvalidEventError,
        },
        { name: 'an unknown type', events: () => [{ ...note('x'), type: 'test.unknown.v1' }], error: UnknownEventTypeError },
        {
          name: 'a legacy type',
          events: () => [{ ...note('x'), type: 'test.note_added.v1', data: { text: 'x' } }],
          error: UnknownEventTypeError,
        },
        {
          name: 'bad metadata',
          events: () => [{ ...note('x'), metadata: { ...metadata(), occurredAt: 'yesterday' } }],
          error: InvalidEventError,
        },
        {
          name: 'metadata with recordedAt (the store stamps it)',
          events: () => [{ ...note('x'), metadata: { ...metadata(), recordedAt: '2026-01-01T00:00:00Z' } }],
          error: InvalidEventError,
        },
        { name: 'an id that is not a UUIDv7', events: () => [{ ...note('x'), id: randomUUID() }], error: InvalidEventError },
        { name: 'no events', events: () => [], error: InvalidArgumentError },
        {
          name: 'the same id twice',
          events: () => {
            const e = note('x');
            return [e, { ...e }];
          },
          error: InvalidArgumentError,
        },
      ];
      for (const c of cases)
        scenario(`given ${c.name}, when appending, then ${c.error.name} and nothing is written`, async () => {
          await withStore({}, async (store) => {
            await assert.rejects(
              store.append(c.stream ?? fresh('note'), c.events() as TestNewEvent[], { expectedVersion: 'any' }),
              c.error,
            );
            assert.deepEqual(await store.readAll(), []);
          });
        });

      scenario('given a bad expected version, when appending, then InvalidArgumentError and nothing is written', async () => {
        await withStore({}, async (store) => {
          for (const expectedVersion of [-1, 1.5, 'latest'])
            await assert.rejects(
              store.append(fresh('note'), [note('x')], { expectedVersion: expectedVersion as ExpectedVersion }),
              InvalidArgumentError,
            );
          assert.deepEqual(await store.readAll(), []);
        });
      });
    });

    describe('subscriptions', () => {
      scenario('given concurrent writers and one slow transaction, when subscribed from the start, then every event arrives exactly once in strictly increasing global order', async () => {
        const slow = fresh('slow');
        const hooks: FaultHooks = {
          beforeCommit: async (streamId) => {
            if (streamId === slow) await sleep(300);
          },
        };
        await withStore(hooks, async (store) => {
          const probe = new SubscriptionProbe(store, 0n, undefined, 7);
          const writers = Array.from({ length: 4 }, () => fresh('counter'));
          await Promise.all([
            (async () => {
              for (let n = 0; n < 3; n++) await store.append(slow, [bump(99, n)], { expectedVersion: 'any' });
            })(),
            ...writers.map(async (s, w) => {
              for (let n = 0; n < 10; n++) await store.append(s, [bump(w, n), bump(w, n + 100)], { expectedVersion: 'any' });
            }),
          ]);
          const total = 3 + 4 * 10 * 2;
          await probe.waitForCount(total);
          await probe.subscription.close();

          assert.equal(probe.events.length, total, 'nothing delivered twice');
          assert.equal(new Set(probe.events.map((e) => e.id)).size, total);
          assertStrictlyIncreasing(probe.events);
          assert.deepEqual(
            probe.events.map((e) => e.id),
            (await readWholeLog(store)).map((e) => e.id),
            'the subscription saw exactly the log',
          );
          assert.equal(probe.subscription.position, probe.events[total - 1]!.globalPosition);
        });
      });

      scenario('given a checkpoint in the middle of the log, when subscribing, then it catches up after the checkpoint, reports caught-up, then delivers live appends', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          const before = await store.append(s, Array.from({ length: 10 }, (_, i) => note(`old${i}`)), {
            expectedVersion: 'no_stream',
          });
          const checkpoint = before.positions[3]!;
          const probe = new SubscriptionProbe(store, checkpoint, undefined, 4);
          await probe.waitForCaughtUp(before.positions[9]!);
          assert.deepEqual(
            probe.events.map((e) => e.globalPosition),
            before.positions.slice(4),
          );

          const live = [];
          for (let i = 0; i < 5; i++) live.push(...(await store.append(s, [note(`new${i}`)], { expectedVersion: 'any' })).positions);
          await probe.waitForCount(6 + 5);
          assert.deepEqual(
            probe.events.map((e) => e.globalPosition),
            [...before.positions.slice(4), ...live],
          );
          await probe.subscription.close();
        });
      });

      scenario('given a filtered subscription, when matching and other events are appended, then only matching events arrive', async () => {
        await withStore({}, async (store) => {
          const counters = fresh('counter');
          const notes = fresh('note');
          const probe = new SubscriptionProbe(store, 0n, { categories: ['note'] });
          for (let i = 0; i < 5; i++) {
            await store.append(counters, [bump(1, i)], { expectedVersion: 'any' });
            await store.append(notes, [note(`n${i}`)], { expectedVersion: 'any' });
          }
          await probe.waitForCount(5);
          await probe.subscription.close();
          assert.deepEqual(
            probe.events.map((e) => (e.type === 'test.note_added.v2' ? e.data.text : e.type)),
            ['n0', 'n1', 'n2', 'n3', 'n4'],
          );
        });
      });

      scenario('given a handler that throws, when an event arrives, then done rejects with that error and no later batch is delivered', async () => {
        await withStore({}, async (store) => {
          const s = fresh('note');
          await store.append(s, [note('a'), note('b')], { expectedVersion: 'no_stream' });
          const boom = new Error('handler failed');
          let calls = 0;
          const subscription = store.subscribe({ after: 0n, batchSize: 1 }, async () => {
            calls += 1;
            throw boom;
          });
          await assert.rejects(subscription.done, (err: unknown) => err === boom);
          assert.equal(calls, 1);
          await subscription.close();
        });
      });

      scenario('given open subscriptions, when the store closes, then each subscription ends cleanly and close stays idempotent', async () => {
        const store = await target.open({});
        const first = store.subscribe({ after: 0n }, async () => {});
        const second = store.subscribe({ after: 0n }, async () => {});
        await first.close();
        await first.close();
        await store.close();
        await store.close();
        await first.done;
        await second.done;
        await assert.rejects(store.append(fresh('note'), [note('late')], { expectedVersion: 'any' }));
      });
    });
  });
}
