import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validate as isUuid, version as uuidVersion, v7 as uuidv7 } from 'uuid';
import { handleCommand, type CommandMetadata } from '../../../src/commands/command-handler.ts';
import { CorruptStreamError } from '../../../src/commands/corrupt-stream-error.ts';
import type { DecisionContext } from '../../../src/commands/decider.ts';
import { DomainError } from '../../../src/commands/domain-error.ts';
import { imDecider } from '../../../src/commands/im/im-decider.ts';
import { callStreamId, imStreamId, userStreamId } from '../../../src/commands/stream-ids.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../src/events/envelope.ts';
import { ConcurrencyError, InvalidStreamNameError } from '../../../src/events/errors.ts';
import { InMemoryEventStoreTestDouble } from '../support/in-memory-event-store.test-double.ts';
import { sequentialIds, T0 } from './spec.ts';

const ALICE = 'sip:alice@example.test';
const STREAM = userStreamId(ALICE);
const metadata: CommandMetadata = { correlationId: 'req-1', causationId: null, actor: 'admin', node: 'fe1' };

function fixedContext(now = T0): DecisionContext {
  return { now: () => now, newId: sequentialIds() };
}

/** Deterministic UUIDv7s (the store requires v7 event ids), unique across the whole file. */
let eventSeq = 0;
function eventIds(): () => string {
  return () => uuidv7({ msecs: 1_714_554_000_000 + eventSeq++, random: new Uint8Array(16) });
}

function newStore() {
  return new InMemoryEventStoreTestDouble<DomainEvent>(domainCatalogue);
}

/** Appends events directly, as another writer would. */
async function write(store: InMemoryEventStoreTestDouble<DomainEvent>, streamId: string, events: DomainEvent[]) {
  const ids = eventIds();
  const batch = events.map((e) => ({ ...e, id: ids(), metadata: { ...metadata, occurredAt: T0 } })) as NewEvent<DomainEvent>[];
  await store.append(streamId, batch, { expectedVersion: 'any' });
}

const provision: UserCommand = { type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice', maxEndpoints: 1 } };
function register(n: number): UserCommand {
  return {
    type: 'RegisterEndpoint',
    data: { contact: `sip:alice@10.0.0.${n}`, transport: 'tcp', sourceAddress: `192.0.2.${n}:5060`, expiresSeconds: 3600 },
  };
}

function run(store: InMemoryEventStoreTestDouble<DomainEvent>, command: UserCommand, extra: { maxAttempts?: number; streamId?: string } = {}) {
  return handleCommand({
    store,
    decider: userDecider,
    streamId: extra.streamId ?? STREAM,
    command,
    context: fixedContext(),
    metadata,
    newEventId: eventIds(),
    ...(extra.maxAttempts === undefined ? {} : { maxAttempts: extra.maxAttempts }),
  });
}

describe('handleCommand', () => {
  it('creates a stream: appends the decision with expected version no_stream and stamps occurredAt', async () => {
    const store = newStore();
    const outcome = await run(store, provision);
    assert.equal(outcome.events.length, 1);
    assert.equal(outcome.events[0]!.type, 'directory.user_provisioned.v1');
    assert.deepEqual(outcome.appendResult, { streamId: STREAM, nextExpectedVersion: 0, positions: [1n], duplicate: false });
    assert.equal(outcome.streamVersion, 0);
    assert.equal(outcome.attempts, 1);
    assert.equal(outcome.state.status, 'active');
    const [stored] = await store.readStream(STREAM);
    assert.equal(stored!.type, 'directory.user_provisioned.v1');
    assert.deepEqual(stored!.metadata, { ...metadata, occurredAt: T0, recordedAt: stored!.metadata.recordedAt });
  });

  it('refuses on the folded history: a second endpoint over a limit of one', async () => {
    const store = newStore();
    await run(store, provision);
    const first = await run(store, register(1));
    assert.equal(first.appendResult?.nextExpectedVersion, 1);
    await assert.rejects(run(store, register(2)), (e: unknown) => e instanceof DomainError && e.code === 'endpoint_limit');
    assert.equal((await store.readStream(STREAM)).length, 2, 'a refused command writes nothing');
  });

  it('writes nothing and reports the current version when the decision is empty', async () => {
    const store = newStore();
    await run(store, provision);
    const head = await store.headPosition();
    const outcome = await run(store, { type: 'UpdateUser', data: { displayName: 'Alice' } });
    assert.deepEqual(outcome.events, []);
    assert.equal(outcome.appendResult, null);
    assert.equal(outcome.streamVersion, 0);
    assert.equal(await store.headPosition(), head);
  });

  it('re-reads and re-decides when another writer appended first', async () => {
    const store = newStore();
    await run(store, provision);
    let raced = false;
    store.beforeAppend = async (streamId) => {
      if (raced) return;
      raced = true;
      // Another front end registers a device between our read and our append.
      await handleCommand({ store, decider: userDecider, streamId, command: register(9), context: fixedContext(), metadata, newEventId: eventIds() });
    };
    await assert.rejects(run(store, register(1)), (e: unknown) => e instanceof DomainError && e.code === 'endpoint_limit');
    const stream = await store.readStream(STREAM);
    assert.deepEqual(
      stream.map((e) => e.type),
      ['directory.user_provisioned.v1', 'endpoint.registered.v1'],
    );
    assert.equal(stream[1]!.type === 'endpoint.registered.v1' && stream[1]!.data.contact, 'sip:alice@10.0.0.9');
  });

  it('succeeds on the second attempt when the concurrent write does not conflict with the rules', async () => {
    const store = newStore();
    await run(store, provision);
    let raced = false;
    store.beforeAppend = async (streamId) => {
      if (raced) return;
      raced = true;
      await write(store, streamId, [
        { type: 'presence.user_state_set.v1', data: { sipUri: ALICE, availability: 'away', code: 15500, note: null, until: null, at: T0 } },
      ]);
    };
    const outcome = await run(store, register(1));
    assert.equal(outcome.attempts, 2);
    assert.equal(outcome.appendResult?.nextExpectedVersion, 2);
    assert.equal(outcome.state.status === 'active' && outcome.state.chosenState?.availability, 'away');
  });

  it('gives up with the ConcurrencyError after maxAttempts, having written nothing itself', async () => {
    const store = newStore();
    await run(store, provision);
    let competing = 0;
    let writing = false;
    store.beforeAppend = async (streamId) => {
      // Our own competing write also passes through this hook; let it through.
      if (writing || competing >= 3) return;
      competing++;
      writing = true;
      await write(store, streamId, [{ type: 'presence.user_state_cleared.v1', data: { sipUri: ALICE, reason: 'cleared', at: T0 } }]);
      writing = false;
    };
    await assert.rejects(run(store, register(1), { maxAttempts: 3 }), ConcurrencyError);
    const types = (await store.readStream(STREAM)).map((e) => e.type);
    assert.equal(types.filter((t) => t === 'endpoint.registered.v1').length, 0);
    assert.equal(competing, 3);
  });

  it('reads a long stream page by page before deciding', async () => {
    const store = newStore();
    const sessionId = 'long-session@example.test';
    const stream = imStreamId(sessionId);
    const events: DomainEvent[] = [
      { type: 'im.session_started.v1', data: { sessionId, initiator: ALICE, participants: [ALICE, 'sip:bob@example.test'], at: T0 } },
    ];
    for (let i = 0; i < 2100; i++)
      events.push({
        type: 'im.message_sent.v1',
        data: { sessionId, messageId: `m-${i}`, sender: ALICE, recipients: ['sip:bob@example.test'], contentType: 'text/plain', body: null, archived: false, at: T0 },
      });
    await write(store, stream, events);
    store.reads.length = 0;
    const outcome = await handleCommand({
      store,
      decider: imDecider,
      streamId: stream,
      command: { type: 'MarkImDelivered', data: { messageId: 'm-2099', recipient: 'sip:bob@example.test', sipStatus: 200 } },
      context: fixedContext(),
      metadata,
      newEventId: eventIds(),
    });
    assert.equal(outcome.appendResult?.nextExpectedVersion, 2101);
    assert.deepEqual(
      store.reads.map((r) => r.options.fromVersion),
      [0, 1000, 2000],
    );
  });

  it('mints UUIDv7 event ids by default', async () => {
    const store = newStore();
    await handleCommand({ store, decider: userDecider, streamId: STREAM, command: provision, context: fixedContext(), metadata });
    const [stored] = await store.readStream(STREAM);
    assert.ok(isUuid(stored!.id));
    assert.equal(uuidVersion(stored!.id), 7);
  });

  it('refuses a stream of another aggregate', async () => {
    await assert.rejects(run(newStore(), provision, { streamId: callStreamId('abc@host') }), InvalidStreamNameError);
  });

  it('refuses to decide on a stream holding an event its aggregate does not know', async () => {
    const store = newStore();
    await write(store, STREAM, [{ type: 'conference.activated.v1', data: { conferenceId: 'c1', at: T0 } }]);
    await assert.rejects(run(store, provision), CorruptStreamError);
  });
});
