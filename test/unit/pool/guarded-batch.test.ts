/**
 * The projector's exactly-once core without Kafka: a batch goes through the
 * per-(projection, stream) version guard in one transaction, so a redelivered
 * batch, an overlapping one or one repeating events inside itself applies
 * nothing twice, and a message that is not a recorded event is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { decodeEventMessage, encodeEventMessage } from '../../../src/pool/event-message.ts';
import { EventMessageError } from '../../../src/pool/pool-errors.ts';
import { applyGuardedBatch } from '../../../src/pool/projector/guarded-batch.ts';
import { preparePoolProjection } from '../../../src/pool/projector/pool-projection-state.ts';
import { dumpTables } from '../../../src/projections/framework/index.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import { testCatalogue, type TestEvent } from '../../contract/test-catalogue.ts';
import { NOTES_TABLES, notesPerAuthorProjection } from '../../support/notes-projection.ts';

const META = {
  occurredAt: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'c',
  causationId: null,
  actor: 'a',
  node: 'n',
};

/** A log of notes over two streams, positions 1..n, as the relay would publish it. */
function log(n: number): RecordedEvent<TestEvent>[] {
  const versions = new Map<string, number>();
  return Array.from({ length: n }, (_, i) => {
    const streamId = i % 3 === 0 ? 'note-a' : 'note-b';
    const streamVersion = (versions.get(streamId) ?? -1) + 1;
    versions.set(streamId, streamVersion);
    return {
      id: uuidv7(),
      type: 'test.note_added.v2',
      data: { text: `n${i}`, author: streamId },
      streamId,
      streamVersion,
      globalPosition: BigInt(i + 1),
      metadata: META,
    } as RecordedEvent<TestEvent>;
  });
}

describe('applyGuardedBatch', () => {
  let client: PgliteClient;
  const projection = notesPerAuthorProjection();
  before(async () => {
    client = await PgliteClient.open();
  });
  after(() => client.close());

  it('applies each event once however often and in whatever batches it is delivered', async () => {
    const { epoch, reset } = await preparePoolProjection(client, projection);
    assert.equal(reset, true);
    const events = log(30);
    // Redelivery of a prefix, an overlapping batch, duplicates inside one batch.
    const first = await applyGuardedBatch(client, projection, epoch, events.slice(0, 10));
    assert.deepEqual([first.applied, first.skipped, first.position], [10, 0, 10n]);
    const again = await applyGuardedBatch(client, projection, epoch, events.slice(0, 10));
    assert.deepEqual([again.applied, again.skipped], [0, 10]);
    const overlap = await applyGuardedBatch(client, projection, epoch, [...events.slice(5, 20), ...events.slice(15, 20)]);
    assert.deepEqual([overlap.applied, overlap.skipped, overlap.position], [10, 10, 20n]);
    await applyGuardedBatch(client, projection, epoch, events.slice(18));
    const pool = await dumpTables(client, NOTES_TABLES);

    // Reference: the same projection fed every event exactly once.
    const reference = await PgliteClient.open();
    try {
      const ref = await preparePoolProjection(reference, projection);
      await applyGuardedBatch(reference, projection, ref.epoch, events);
      assert.equal(pool, await dumpTables(reference, NOTES_TABLES));
    } finally {
      await reference.close();
    }
    // A second prepare (another process starting) keeps the tables and the epoch.
    assert.deepEqual(await preparePoolProjection(client, projection), { epoch, reset: false });
    await assert.rejects(applyGuardedBatch(client, projection, epoch + 1, events), /the Pool rebuilt it/);
  });
});

describe('event messages', () => {
  const [event] = log(1);
  it('round-trip a recorded event, position as a decimal string, key = stream id', () => {
    const m = encodeEventMessage(event!);
    assert.equal(m.key, 'note-a');
    assert.equal(JSON.parse(m.value).globalPosition, '1');
    assert.deepEqual(decodeEventMessage(testCatalogue, Buffer.from(m.value), Buffer.from(m.key), 'here'), event);
  });
  it('refuse what is not a valid recorded event of the catalogue', () => {
    const m = encodeEventMessage(event!);
    const value = JSON.parse(m.value) as Record<string, unknown>;
    const bad = (v: unknown, key = m.key): (() => unknown) => () =>
      decodeEventMessage(testCatalogue, Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), Buffer.from(key), 't/0@7');
    assert.throws(bad('{'), (e: unknown) => e instanceof EventMessageError && /^t\/0@7: value is not JSON/.test(e.message));
    assert.throws(bad({ ...value, globalPosition: 1 }), /not a recorded event/);
    assert.throws(bad({ ...value, type: 'test.unknown.v1' }), /test\.unknown\.v1/);
    assert.throws(bad({ ...value, data: { text: 1 } }), EventMessageError);
    assert.throws(bad(value, 'note-b'), /is not its stream id/);
  });
});
