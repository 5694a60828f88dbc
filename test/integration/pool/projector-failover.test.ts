/**
 * Two projector PROCESSES share the domain projections through Kafka; one is
 * SIGKILLed while events keep arriving; the other takes its projections over
 * and the read models end byte-equal to a single-process rebuild from the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import { EventRelay } from '../../../src/pool/relay/event-relay.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import type { PgClient } from '../../../src/storage/pg-client.ts';
import {
  KAFKA_BROKERS,
  WorkloadFeed,
  allAt,
  createSchema,
  deleteTopic,
  dumpDomainReadModels,
  openLog,
  poolSkip,
  referenceReadModels,
  runId,
  testKafkaConfig,
  type TestSchema,
} from '../../support/kafka/pool-harness.ts';
import { ProjectorChild } from '../../support/kafka/projector-child.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';

const ALL = domainProjections.map((p) => p.name).sort();

describe('Projector processes over Kafka (real broker + PostgreSQL)', { skip: poolSkip, timeout: 170_000 }, () => {
  let schema: TestSchema;
  let reference: TestSchema;
  let store: PostgresEventStore<DomainEvent>;
  let client: PgClient;
  let relay: EventRelay<DomainEvent> | undefined;
  const children: ProjectorChild[] = [];
  const run = runId();
  const topic = `chorus-test-projector-${run}`;

  before(async () => {
    schema = await createSchema('chorus_pool_fo');
    reference = await createSchema('chorus_pool_fo_ref');
    store = await openLog(schema);
    client = schema.client(2);
  });
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await relay?.close();
    await store?.close();
    await client?.close();
    await schema?.drop();
    await reference?.drop();
    await deleteTopic(topic);
  });

  it('share the projections, survive a SIGKILL of one, and end byte-equal to a rebuild', async () => {
    const feed = new WorkloadFeed(store, 3_000);
    await feed.append(1_000);
    relay = new EventRelay({ store, client, kafka: testKafkaConfig({ topic, createTopic: 'true' }), logger: silentLogger });
    await relay.start();

    const env = {
      DATABASE_URL: schema.url,
      KAFKA_BROKERS: KAFKA_BROKERS ?? '',
      CHORUS_KAFKA_TOPIC: topic,
      CHORUS_KAFKA_SESSION_TIMEOUT_MS: '6000',
      CHORUS_KAFKA_CONNECT_TIMEOUT_MS: '20000',
      POOL_GROUP_PREFIX: `chorus-test-${run}`,
    };
    const a = new ProjectorChild('projector-a', env);
    children.push(a);
    await waitUntil('projector A holds every projection', () => a.assigned.size === ALL.length, 60_000);
    const b = new ProjectorChild('projector-b', env);
    children.push(b);
    // Sharing: each process runs some projections, none runs one twice, together they run all.
    await waitUntil(
      'A and B split the projections',
      () => a.assigned.size > 0 && b.assigned.size > 0 && a.assigned.size + b.assigned.size === ALL.length,
      60_000,
    );
    assert.deepEqual([...a.assigned, ...b.assigned].sort(), ALL);
    const takenFromA = [...a.assigned];

    // Events keep arriving; A dies with work in flight.
    const appliedByABefore = a.applied;
    await feed.append(1_000);
    await waitUntil('A applies some of the new events', () => a.applied > appliedByABefore, 60_000);
    a.kill('SIGKILL');
    await a.exited;
    await feed.append(1_000);

    await waitUntil('B holds every projection', () => b.assigned.size === ALL.length, 60_000);
    const head = await store.headPosition();
    await waitUntil('every projection reaches the head', () => allAt(client, head), 90_000);
    assert.deepEqual(b.failures, []);
    for (const name of takenFromA) assert.ok(b.everAssigned.has(name), `B took over ${name}`);

    const pool = await dumpDomainReadModels(client);
    const rebuilt = await referenceReadModels(store, reference);
    for (const name of ALL) assert.equal(pool.get(name), rebuilt.get(name), `${name}: Pool read model differs from the rebuild`);
    assert.ok((pool.get('audit_timeline') ?? '').length > 1_000, 'the read models are not empty');
  });
});
