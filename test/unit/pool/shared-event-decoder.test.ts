/**
 * The projector's shared decoding: each topic message is decoded once for all
 * the workers of a process (the same event object comes back for the same
 * offset), a window bounds what is kept, a reused offset with another position
 * (a recreated topic) is decoded afresh, and a corrupt message is refused to
 * every caller without being kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { encodeEventMessage } from '../../../src/pool/event-message.ts';
import { EventMessageReader } from '../../../src/pool/event-message-reader.ts';
import { EventMessageError } from '../../../src/pool/pool-errors.ts';
import { SharedEventDecoder } from '../../../src/pool/projector/shared-event-decoder.ts';
import { testCatalogue, type TestEvent } from '../../contract/test-catalogue.ts';

const META = { occurredAt: '2026-01-01T00:00:00.000Z', recordedAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: null, actor: 'a', node: 'n' };

/** Messages at offsets `from`.., carrying positions `firstPosition`.. as the relay publishes them. */
function messages(count: number, from = 0, firstPosition = 1): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const event = {
      id: uuidv7(),
      type: 'test.note_added.v2',
      data: { text: `n${firstPosition + i}`, author: 'a' },
      streamId: 'note-a',
      streamVersion: firstPosition + i - 1,
      globalPosition: BigInt(firstPosition + i),
      metadata: META,
    } as RecordedEvent<TestEvent>;
    const m = encodeEventMessage(event);
    const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)]));
    return { key: Buffer.from(m.key), value: Buffer.from(m.value), headers, offset: String(from + i), timestamp: '0', attributes: 0 } as KafkaMessage;
  });
}

describe('SharedEventDecoder', () => {
  const reader = (): EventMessageReader<TestEvent> => new EventMessageReader<TestEvent>(testCatalogue);

  it('decodes a message once for every worker, in order, whatever chunks they ask for', async () => {
    const decoder = new SharedEventDecoder(reader());
    const batch = messages(10);
    const first = await decoder.events('t', 0, batch);
    assert.deepEqual(first.map((e) => e.globalPosition), Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
    assert.equal(first[3]!.type, 'test.note_added.v2');
    // Another worker, another chunking of the same offsets: the very same objects.
    const second = [...(await decoder.events('t', 0, batch.slice(0, 4))), ...(await decoder.events('t', 0, batch.slice(4)))];
    for (const [i, e] of second.entries()) assert.equal(e, first[i], `offset ${i} shared`);
  });

  it('keeps at most `capacity` events, dropping the oldest', async () => {
    const decoder = new SharedEventDecoder(reader(), 5);
    const batch = messages(10);
    const first = await decoder.events('t', 0, batch);
    const again = await decoder.events('t', 0, batch.slice(0, 1));
    assert.notEqual(again[0], first[0], 'offset 0 left the window: decoded again');
    assert.deepEqual(again[0], first[0]);
    assert.equal((await decoder.events('t', 0, batch.slice(9)))[0], first[9], 'offset 9 still shared');
  });

  it('decodes afresh an offset that now carries another position (a recreated topic)', async () => {
    const decoder = new SharedEventDecoder(reader());
    await decoder.events('t', 0, messages(3));
    const recreated = await decoder.events('t', 0, messages(3, 0, 101));
    assert.deepEqual(recreated.map((e) => e.globalPosition), [101n, 102n, 103n]);
  });

  it('refuses a corrupt message to every caller, naming it; the good ones still decode', async () => {
    const decoder = new SharedEventDecoder(reader());
    const batch = messages(3);
    batch[1] = { ...batch[1]!, value: Buffer.from('{"not":"an event"}') };
    for (let attempt = 0; attempt < 2; attempt++)
      await assert.rejects(decoder.events('t', 0, batch), (e: unknown) => e instanceof EventMessageError && /t\/0@1/.test(e.message));
    const good = await decoder.events('t', 0, batch.slice(0, 1));
    assert.equal(good[0]!.globalPosition, 1n);
  });
});
