/**
 * Bad Kafka configuration fails fast with a message that says what to fix:
 * malformed settings, a broker nobody answers on (no KAFKA_BROKERS needed:
 * the address is a closed local port), a topic that does not exist while
 * auto-creation is off, a topic with more than one partition for the projector.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import { kafkaConfig, loadKafkaConfig } from '../../../src/pool/kafka-config.ts';
import { KafkaUnavailableError, PoolConfigError, TopicLayoutError, UnknownTopicError } from '../../../src/pool/pool-errors.ts';
import { Projector } from '../../../src/pool/projector/projector.ts';
import { EventRelay } from '../../../src/pool/relay/event-relay.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import type { PgClient } from '../../../src/storage/pg-client.ts';
import { InMemoryEventStore } from '../../support/in-memory-event-store.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import {
  createSchema,
  deleteTopic,
  openLog,
  poolSkip,
  rawKafka,
  runId,
  testKafkaConfig,
  type TestSchema,
} from '../../support/kafka/pool-harness.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { closedPort } from '../../support/cli-in-process.ts';


describe('Kafka settings', () => {
  it('names the variable that is missing or malformed', () => {
    assert.throws(() => loadKafkaConfig({}), (e: unknown) => e instanceof PoolConfigError && /^KAFKA_BROKERS: is required$/.test(e.message));
    assert.throws(
      () => loadKafkaConfig({ KAFKA_BROKERS: 'localhost' }),
      (e: unknown) => e instanceof PoolConfigError && /^KAFKA_BROKERS: each broker must be host:port/.test(e.message),
    );
    assert.throws(
      () => loadKafkaConfig({ KAFKA_BROKERS: 'a:1', CHORUS_KAFKA_TOPIC: 'no spaces' }),
      (e: unknown) => e instanceof PoolConfigError && e.message.startsWith('CHORUS_KAFKA_TOPIC:'),
    );
    assert.throws(
      () => loadKafkaConfig({ KAFKA_BROKERS: 'a:1', CHORUS_KAFKA_CREATE_TOPIC: 'yes' }),
      (e: unknown) => e instanceof PoolConfigError && e.message.startsWith('CHORUS_KAFKA_CREATE_TOPIC:'),
    );
    const ok = loadKafkaConfig({ KAFKA_BROKERS: ' 127.0.0.1:9092 , k2:9093 ', CHORUS_KAFKA_CREATE_TOPIC: 'true' });
    assert.deepEqual(ok.brokers, ['127.0.0.1:9092', 'k2:9093']);
    assert.equal(ok.topic, 'chorus.events');
    assert.equal(ok.createTopic, true);
  });
});

describe('An unreachable broker', () => {
  it('fails the relay and the projector start with KafkaUnavailableError naming the address', // The test's timeout is the hang guard: kafkajs's own retries alone would keep trying for minutes.
  { timeout: 30_000 }, async () => {
    const port = await closedPort();
    const config = kafkaConfig({ brokers: `127.0.0.1:${port}`, topic: 'chorus.events', connectTimeoutMs: '2000' });
    const store = new InMemoryEventStore<DomainEvent>(domainCatalogue);
    // Start-up must fail on the broker before it touches the database.
    const untouchable = (): never => {
      throw new Error('the database was used although the broker is unreachable');
    };
    const client: SqlClient = { dialect: 'postgres', query: untouchable, exec: untouchable, transaction: untouchable, close: () => Promise.resolve() };
    try {
      const relay = new EventRelay({ store, client, kafka: config, logger: silentLogger });
      await assert.rejects(relay.start(), (e: unknown) => {
        assert.ok(e instanceof KafkaUnavailableError, String(e));
        assert.match(e.message, new RegExp(`^Kafka is unreachable at 127\\.0\\.0\\.1:${port} \\(gave up after 2000 ms\\)`));
        return true;
      });
      assert.equal(relay.state, 'failed');
      await relay.close();
      const projector = new Projector({ kafka: config, client, catalogue: domainCatalogue, projections: domainProjections, logger: silentLogger });
      await assert.rejects(projector.start(), KafkaUnavailableError);
      await projector.close();
    } finally {
      await store.close();
    }
  });
});

describe('Topics on a real broker', { skip: poolSkip, timeout: 60_000 }, () => {
  let schema: TestSchema;
  let store: PostgresEventStore<DomainEvent>;
  let client: PgClient;
  const wide = `chorus-test-wide-${runId()}`;

  before(async () => {
    schema = await createSchema('chorus_pool_cfg');
    store = await openLog(schema);
    client = schema.client(2);
  });
  after(async () => {
    await store?.close();
    await client?.close();
    await schema?.drop();
    await deleteTopic(wide);
  });

  it('a missing topic is an error when the relay may not create it, and always for the projector', async () => {
    const missing = `chorus-test-missing-${runId()}`;
    const config = testKafkaConfig({ topic: missing });
    const relay = new EventRelay({ store, client, kafka: config, logger: silentLogger });
    await assert.rejects(relay.start(), (e: unknown) => {
      assert.ok(e instanceof UnknownTopicError, String(e));
      assert.match(e.message, new RegExp(`^Kafka topic "${missing}" does not exist: .*CHORUS_KAFKA_CREATE_TOPIC=true`));
      return true;
    });
    await relay.close();
    const projector = new Projector({ kafka: config, client, catalogue: domainCatalogue, projections: domainProjections, logger: silentLogger });
    await assert.rejects(projector.start(), UnknownTopicError);
    await projector.close();
    const admin = rawKafka().admin();
    await admin.connect();
    try {
      assert.equal((await admin.listTopics()).includes(missing), false, 'nothing created the topic');
    } finally {
      await admin.disconnect();
    }
  });

  it('the projector refuses a topic with several partitions (global order would be lost)', async () => {
    const admin = rawKafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: wide, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const projector = new Projector({
      kafka: testKafkaConfig({ topic: wide }),
      client,
      catalogue: domainCatalogue,
      projections: domainProjections,
      logger: silentLogger,
    });
    await assert.rejects(projector.start(), (e: unknown) => e instanceof TopicLayoutError && /has 3 partitions/.test(e.message));
    await projector.close();
  });
});
