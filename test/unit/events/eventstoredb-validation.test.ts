import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { NewEvent } from '../../../src/events/envelope.ts';
import {
  EventStoreError,
  InvalidArgumentError,
  InvalidEventError,
  InvalidStreamNameError,
  UnknownEventTypeError,
} from '../../../src/events/errors.ts';
import { EventStoreDbEventStore } from '../../../src/events/store/eventstoredb/eventstoredb-event-store.ts';
import { testCatalogue } from '../../contract/test-catalogue.ts';
import type { TestEvent } from '../../contract/test-catalogue.ts';

/**
 * Input validation must reject before any network call. No EventStoreDB runs
 * here, so the store points at a plain TCP listener that speaks no protocol at
 * all: it only counts connection attempts and hangs up. A validation error with
 * zero connections proves nothing was sent; the control test proves the count
 * does see the client when it really talks to the network.
 */

const metadata = {
  occurredAt: '2025-01-02T03:04:05.000Z',
  correlationId: 'corr-1',
  causationId: null,
  actor: 'sip:alice@example.test',
  node: 'fe-1',
};

function note(id: string, text = 'hello'): NewEvent<TestEvent> {
  return { id, type: 'test.note_added.v2', data: { text, author: 'alice' }, metadata };
}

const ID_1 = '0190b6a0-0000-7000-8000-000000000001';
const ID_2 = '0190b6a0-0000-7000-8000-000000000002';

describe('eventstoredb store validates before touching the network', () => {
  let connections = 0;
  let listener: net.Server;
  let store: EventStoreDbEventStore<TestEvent>;

  before(async () => {
    listener = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    store = await EventStoreDbEventStore.connect({
      connectionString: `esdb://127.0.0.1:${port}?tls=false`,
      catalogue: testCatalogue,
    });
  });

  after(async () => {
    await store.close();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  /** Bypasses the compile-time types the way an HTTP or CLI caller can. */
  function appendUnchecked(streamId: unknown, events: unknown, options: unknown): Promise<unknown> {
    return store.append(streamId as string, events as NewEvent<TestEvent>[], options as { expectedVersion: 'any' });
  }

  const cases: { name: string; call: () => Promise<unknown>; error: new (...args: never[]) => EventStoreError }[] = [
    { name: 'a stream name without category', call: () => appendUnchecked('nocategory', [note(ID_1)], { expectedVersion: 'any' }), error: InvalidStreamNameError },
    { name: 'a $-prefixed (system) stream name', call: () => appendUnchecked('$all-x', [note(ID_1)], { expectedVersion: 'any' }), error: InvalidStreamNameError },
    { name: 'no events', call: () => appendUnchecked('note-1', [], { expectedVersion: 'any' }), error: InvalidArgumentError },
    { name: 'a bad expected version', call: () => appendUnchecked('note-1', [note(ID_1)], { expectedVersion: -1 }), error: InvalidArgumentError },
    { name: 'an unknown event type', call: () => appendUnchecked('note-1', [{ ...note(ID_1), type: 'test.nope.v1' }], { expectedVersion: 'any' }), error: UnknownEventTypeError },
    { name: 'a legacy event type', call: () => appendUnchecked('note-1', [{ ...note(ID_1), type: 'test.note_added.v1', data: { text: 'x' } }], { expectedVersion: 'any' }), error: UnknownEventTypeError },
    { name: 'data failing the schema', call: () => appendUnchecked('note-1', [{ ...note(ID_1), data: { text: 1 } }], { expectedVersion: 'any' }), error: InvalidEventError },
    { name: 'a UUIDv4 id', call: () => appendUnchecked('note-1', [note('9b2f8a52-6f0e-4c1c-8d7a-1e2f3a4b5c6d')], { expectedVersion: 'any' }), error: InvalidEventError },
    { name: 'metadata with recordedAt (the store stamps it)', call: () => appendUnchecked('note-1', [{ ...note(ID_1), metadata: { ...metadata, recordedAt: metadata.occurredAt } }], { expectedVersion: 'any' }), error: InvalidEventError },
    { name: 'the same id twice in one append', call: () => appendUnchecked('note-1', [note(ID_1), note(ID_1.toUpperCase(), 'again')], { expectedVersion: 'no_stream' }), error: InvalidArgumentError },
    { name: 'a valid event after an invalid one', call: () => appendUnchecked('note-1', [note(ID_1), { ...note(ID_2), type: 'test.nope.v1' }], { expectedVersion: 'any' }), error: UnknownEventTypeError },
    { name: 'readStream with limit 0', call: () => store.readStream('note-1', { limit: 0 }), error: InvalidArgumentError },
    { name: 'readStream with a bad stream name', call: () => store.readStream('bad name'), error: InvalidStreamNameError },
    { name: 'readStream with a negative fromVersion', call: () => store.readStream('note-1', { fromVersion: -1 }), error: InvalidArgumentError },
    { name: 'readAll with limit above 10,000', call: () => store.readAll({ limit: 10_001 }), error: InvalidArgumentError },
    { name: 'readAll with a negative after', call: () => store.readAll({ after: -5n }), error: InvalidArgumentError },
  ];

  for (const { name, call, error } of cases) {
    it(`rejects ${name} with ${error.name} and no connection`, async () => {
      const before = connections;
      await assert.rejects(call(), error);
      assert.equal(connections, before);
    });
  }

  it('names the offending field of an invalid event', async () => {
    await assert.rejects(
      appendUnchecked('note-1', [{ ...note(ID_1), metadata: { ...metadata, actor: '' } }], { expectedVersion: 'any' }),
      (e: unknown) => e instanceof InvalidEventError && e.issues.some((i) => i.path.join('.') === 'metadata.actor'),
    );
  });

  it('rejects bad subscribe options synchronously, before any network call', () => {
    const before = connections;
    assert.throws(() => store.subscribe({ after: 0n, batchSize: 0 }, async () => {}), InvalidArgumentError);
    assert.throws(() => store.subscribe({ after: -1n }, async () => {}), InvalidArgumentError);
    assert.equal(connections, before);
  });

  it('control: a valid append does reach the network (and its failure is not one of ours)', async () => {
    const before = connections;
    await assert.rejects(
      store.append('note-1', [note(ID_1)], { expectedVersion: 'no_stream' }),
      (e: unknown) => e instanceof Error && !(e instanceof EventStoreError),
    );
    assert.ok(connections > before, 'the client should have tried to connect');
  });
});

describe('eventstoredb store lifecycle', () => {
  it('refuses a bad namespace or connection string at connect time', async () => {
    await assert.rejects(
      EventStoreDbEventStore.connect({ connectionString: 'esdb://127.0.0.1:1?tls=false', catalogue: testCatalogue, namespace: 'Bad:ns' }),
      InvalidArgumentError,
    );
    await assert.rejects(
      EventStoreDbEventStore.connect({ connectionString: 'http://127.0.0.1:1', catalogue: testCatalogue }),
      InvalidArgumentError,
    );
  });

  it('closes idempotently and refuses work afterwards', async () => {
    const store = await EventStoreDbEventStore.connect({
      connectionString: 'esdb://127.0.0.1:1?tls=false',
      catalogue: testCatalogue,
    });
    assert.equal(store.kind, 'eventstoredb');
    await Promise.all([store.close(), store.close()]);
    await store.close();
    await assert.rejects(store.readAll(), /closed/);
    await assert.rejects(store.headPosition(), /closed/);
  });
});
