/**
 * The relay against a real broker and PostgreSQL: every event of the log lands
 * on the topic in global order (so in stream order per key), the checkpoint
 * holds what the broker acknowledged, and a new relay resumes after it without
 * losing or re-sending anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import { EventRelay } from '../../../src/pool/relay/event-relay.ts';
import { readRelayCheckpoint } from '../../../src/pool/relay/relay-checkpoints.ts';
import type { PgClient } from '../../../src/storage/pg-client.ts';
import {
  WorkloadFeed,
  createSchema,
  deleteTopic,
  openLog,
  poolSkip,
  readTopic,
  runId,
  testKafkaConfig,
  type TestSchema,
} from '../../support/kafka/pool-harness.ts';
import { silentLogger } from '../../support/silent-logger.ts';

describe('EventRelay (real Kafka + PostgreSQL)', { skip: poolSkip, timeout: 120_000 }, () => {
  let schema: TestSchema;
  let store: PostgresEventStore<DomainEvent>;
  let client: PgClient;
  const topic = `chorus-test-relay-${runId()}`;

  before(async () => {
    schema = await createSchema('chorus_pool_relay');
    store = await openLog(schema);
    client = schema.client(2);
  });
  after(async () => {
    await store?.close();
    await client?.close();
    await schema?.drop();
    await deleteTopic(topic);
    await deleteTopic(`${topic}-split`);
  });

  it('publishes every event once, in global order keyed by stream, and a restarted relay resumes after its checkpoint', async () => {
    const feed = new WorkloadFeed(store, 2_000);
    await feed.append(1_200);
    const config = testKafkaConfig({ topic, createTopic: 'true' });

    const first = new EventRelay({ store, client, kafka: config, batchSize: 200, logger: silentLogger });
    await first.start();
    const headBefore = await store.headPosition();
    await first.waitForPosition(headBefore, 60_000);
    await first.close();
    assert.equal(await readRelayCheckpoint(client, topic), headBefore, 'checkpoint = last acknowledged position');

    // Written while no relay runs: the next one must pick these up, and only these.
    await feed.append(800);
    const head = await store.headPosition();
    assert.ok(head > headBefore);
    const second = new EventRelay({ store, client, kafka: config, batchSize: 200, logger: silentLogger });
    await second.start();
    assert.equal(second.position, headBefore, 'resumes from the checkpoint');
    await second.waitForPosition(head, 60_000);
    await second.close();
    assert.equal(await readRelayCheckpoint(client, topic), head);

    const messages = await readTopic(topic);
    // A clean stop loses nothing and re-sends nothing: exactly positions 1..head, in order.
    assert.deepEqual(
      messages.map((m) => m.position),
      Array.from({ length: Number(head) }, (_, i) => BigInt(i + 1)),
    );
    const log = await store.readAll({ limit: 10_000 });
    assert.equal(log.length, Number(head));
    for (const [i, m] of messages.entries()) {
      assert.equal(m.key, log[i]!.streamId, 'key = stream id');
      assert.equal(m.streamId, log[i]!.streamId);
      assert.equal(m.streamVersion, log[i]!.streamVersion);
    }
    const versions = new Map<string, number>();
    for (const m of messages) {
      assert.equal(m.streamVersion, (versions.get(m.streamId) ?? -1) + 1, `${m.streamId} in order`);
      versions.set(m.streamId, m.streamVersion);
    }
  });

  it('with small produce requests (maxRequestBytes) publishes every event once, in order, and checkpoints per page', async () => {
    const split = `${topic}-split`;
    const head = await store.headPosition();
    // 4 KiB: about ten events per request, so each 1,000-event page takes about a hundred requests.
    const relay = new EventRelay({ store, client, kafka: testKafkaConfig({ topic: split, createTopic: 'true' }), batchSize: 1_000, maxRequestBytes: 4_096, logger: silentLogger });
    const pages: number[] = [];
    relay.on('published', (p) => pages.push(p.count));
    await relay.start();
    await relay.waitForPosition(head, 60_000);
    await relay.close();
    assert.equal(await readRelayCheckpoint(client, split), head);
    assert.ok(pages.length >= 2 && pages.length <= Math.ceil(Number(head) / 1_000) + 1, `checkpointed per page, not per request: ${pages.join(',')}`);
    const messages = await readTopic(split);
    assert.deepEqual(
      messages.map((m) => m.position),
      Array.from({ length: Number(head) }, (_, i) => BigInt(i + 1)),
    );
  });
});
