/**
 * Personal data through the Pool (real Kafka + PostgreSQL): the relay publishes
 * the log AS STORED, so the topic holds sealed tokens, never the plaintext; the
 * projector and a front end's feed open them with the key store; and once the
 * person's key is destroyed, the very same Kafka messages read as erased.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../../../src/config/config.ts';
import { openEventStorage, type EventStorage } from '../../../src/edition/event-storage.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent, RecordedEvent } from '../../../src/events/envelope.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import { KafkaViewFeed } from '../../../src/pool/frontend/kafka-view-feed.ts';
import { Projector } from '../../../src/pool/projector/projector.ts';
import { EventRelay } from '../../../src/pool/relay/event-relay.ts';
import { directoryProjection } from '../../../src/projections/directory/directory-projection.ts';
import { createSchema, deleteTopic, poolSkip, readTopicValues, runId, testKafkaConfig, type TestSchema } from '../../support/kafka/pool-harness.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const ALICE = 'sip:alice@example.test';

function provisioned(displayName: string): NewEvent<DomainEvent> {
  const at = new Date().toISOString();
  return {
    id: uuidv7(),
    type: 'directory.user_provisioned.v1',
    data: { sipUri: ALICE, displayName, lineUri: 'tel:+14255550100', enterpriseVoiceEnabled: true, dialPlan: null, voicePolicy: null, maxEndpoints: 8, at },
    metadata: { occurredAt: at, correlationId: `corr-${runId()}`, causationId: null, actor: 'sip:admin@example.test', node: 'test-fe1' },
  } as NewEvent<DomainEvent>;
}

/** The directory events a fresh front-end feed subscription hands on, from the start of the topic. */
async function feedEvents(feed: KafkaViewFeed<DomainEvent>, head: bigint): Promise<RecordedEvent<DomainEvent>[]> {
  const seen: RecordedEvent<DomainEvent>[] = [];
  const subscription = feed.subscribe({ after: 0n }, (events) => Promise.resolve(void seen.push(...events)));
  try {
    for (const deadline = Date.now() + 30_000; (seen.at(-1)?.globalPosition ?? 0n) < head; await sleep(20))
      if (Date.now() > deadline) throw new Error(`the feed reached ${seen.at(-1)?.globalPosition ?? 0n} of ${head}`);
    return seen;
  } finally {
    await subscription.close();
  }
}

describe('sealed personal data through the Pool (real Kafka + PostgreSQL)', { skip: poolSkip, timeout: 120_000 }, () => {
  let schema: TestSchema;
  let storage: EventStorage;
  const topic = `chorus-test-sealed-${runId()}`;

  before(async () => {
    schema = await createSchema('chorus_pool_sealed');
    storage = await openEventStorage(loadConfig({ CHORUS_STORE: 'postgres', DATABASE_URL: schema.url }));
  });
  after(async () => {
    await storage?.close();
    await schema?.drop();
    await deleteTopic(topic);
  });

  it('Kafka carries ciphertext; the projector and front-end feed open it; a destroyed key erases it on the topic too', async () => {
    const name = `Alice Liddell ${runId()}`;
    await storage.store.append(userStreamId(ALICE), [provisioned(name)], { expectedVersion: 'no_stream' });
    const head = await storage.store.headPosition();
    const kafka = testKafkaConfig({ topic, createTopic: 'true' });

    const relay = new EventRelay({ store: storage.sealedLog, client: storage.readModel, kafka, logger: silentLogger });
    await relay.start();
    await relay.waitForPosition(head, 60_000);
    await relay.close();

    const values = await readTopicValues(topic, Number(head));
    assert.equal(values.length, Number(head));
    assert.ok(values.every((v) => !v.includes(name) && !v.includes('+14255550100')), 'no plaintext personal field on the topic');
    assert.match(values[0]!, /"displayName":"chorus-sealed:v1:/);

    const projector = new Projector<DomainEvent>({
      kafka,
      client: storage.readModel,
      catalogue: domainCatalogue,
      keys: storage.dataKeys,
      projections: [directoryProjection],
      groupPrefix: `chorus-test-sealed-${runId()}`,
      logger: silentLogger,
    });
    try {
      await projector.start();
      let rows: { display_name: string; line_uri: string | null }[] = [];
      for (const deadline = Date.now() + 60_000; rows.length === 0; await sleep(50)) {
        if (Date.now() > deadline) throw new Error('the projector never wrote alice');
        rows = (await storage.readModel.query<{ display_name: string; line_uri: string | null }>(`SELECT display_name, line_uri FROM directory_users`)).rows;
      }
      assert.deepEqual(rows, [{ display_name: name, line_uri: 'tel:+14255550100' }], 'the read model holds the opened values');
    } finally {
      await projector.close();
    }

    const feed = await KafkaViewFeed.open<DomainEvent>({ store: storage.store, kafka, catalogue: domainCatalogue, keys: storage.dataKeys, logger: silentLogger });
    try {
      const opened = (await feedEvents(feed, head)).find((e) => e.type === 'directory.user_provisioned.v1');
      assert.ok(opened?.type === 'directory.user_provisioned.v1');
      assert.equal(opened.data.displayName, name);

      // Forget alice: the messages already in Kafka are unchanged bytes, but they no longer open.
      assert.ok((await storage.dataKeys.destroy(ALICE)).length > 0);
      const erased = (await feedEvents(feed, head)).find((e) => e.type === 'directory.user_provisioned.v1');
      assert.ok(erased?.type === 'directory.user_provisioned.v1');
      assert.equal(erased.data.displayName, '[erased]');
      assert.equal(erased.data.lineUri, null);
    } finally {
      await feed.close();
    }
  });
});
