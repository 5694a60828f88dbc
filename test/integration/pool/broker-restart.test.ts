/**
 * The broker is stopped and started again (infra/kafka/kafka.sh restart)
 * while the relay publishes and a projector applies: afterwards the topic
 * holds every event of the log (duplicates allowed, never a gap, stream order
 * kept), and the read models are byte-equal to a single-process rebuild, so
 * nothing was lost and nothing was applied twice.
 *
 * Restarts the broker that infra/kafka/kafka.sh runs from this checkout, which
 * must be the one KAFKA_BROKERS names.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import { Projector } from '../../../src/pool/projector/projector.ts';
import { EventRelay } from '../../../src/pool/relay/event-relay.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import type { PgClient } from '../../../src/storage/pg-client.ts';
import {
  WorkloadFeed,
  allAt,
  createSchema,
  deleteTopic,
  dumpDomainReadModels,
  openLog,
  poolSkip,
  readTopic,
  referenceReadModels,
  runId,
  testKafkaConfig,
  type TestSchema,
} from '../../support/kafka/pool-harness.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';

const execFileAsync = promisify(execFile);
const KAFKA_SH = 'infra/kafka/kafka.sh';

describe('Broker restart under load (real broker + PostgreSQL)', { skip: poolSkip, timeout: 170_000 }, () => {
  let schema: TestSchema;
  let reference: TestSchema;
  let store: PostgresEventStore<DomainEvent>;
  let logClient: PgClient;
  let readClient: PgClient;
  let relay: EventRelay<DomainEvent> | undefined;
  let projector: Projector<DomainEvent> | undefined;
  const run = runId();
  const topic = `chorus-test-restart-${run}`;

  before(async () => {
    const status = await execFileAsync('bash', [KAFKA_SH, 'status']).catch((e: unknown) => e as { stdout: string; code: number });
    if ('code' in status && status.code !== 0)
      throw new Error(`this test restarts the broker of ${KAFKA_SH}, which is not running here (${status.stdout.trim()})`);
    schema = await createSchema('chorus_pool_rs');
    reference = await createSchema('chorus_pool_rs_ref');
    store = await openLog(schema);
    logClient = schema.client(2);
    readClient = schema.client(2);
  });
  after(async () => {
    await projector?.close();
    await relay?.close();
    await store?.close();
    await logClient?.close();
    await readClient?.close();
    await schema?.drop();
    await reference?.drop();
    await deleteTopic(topic);
  });

  it('loses nothing and applies nothing twice', async () => {
    const feed = new WorkloadFeed(store, 2_000);
    await feed.append(500);
    const config = testKafkaConfig({ topic, createTopic: 'true' });
    relay = new EventRelay({ store, client: logClient, kafka: config, batchSize: 50, logger: silentLogger });
    let retries = 0;
    relay.on('retrying', () => retries++);
    await relay.start();
    projector = new Projector<DomainEvent>({
      kafka: config,
      client: readClient,
      catalogue: domainCatalogue,
      projections: domainProjections,
      groupPrefix: `chorus-test-${run}`,
      batchSize: 100,
      logger: silentLogger,
    });
    const failures: Error[] = [];
    projector.on('failed', (e) => failures.push(e));
    await projector.start();
    await relay.waitForPosition(await store.headPosition(), 60_000);

    // Appends go on while the broker goes down and comes back.
    let restarted = false;
    const restart = execFileAsync('bash', [KAFKA_SH, 'restart'], { timeout: 150_000 }).finally(() => {
      restarted = true;
    });
    while (!restarted) {
      await feed.append(50);
      await sleep(200);
    }
    const { stdout } = await restart;
    assert.match(stdout, /stopped[\s\S]*ready/, 'the broker was stopped and started');
    await feed.append(2_000);

    const head = await store.headPosition();
    assert.equal(head, 2_000n);
    await relay.waitForPosition(head, 90_000);
    await waitUntil('every projection reaches the head', () => allAt(readClient, head), 90_000).catch((error: unknown) => {
      // What each worker was doing is the first thing to look at when this fails.
      throw new Error(`${String(error)}; workers: ${JSON.stringify(projector?.status(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    });
    assert.deepEqual(failures, []);

    // The topic: every position, first occurrences in log order (a re-sent batch may repeat some).
    const messages = await readTopic(topic);
    const seen = new Set<bigint>();
    const firsts: bigint[] = [];
    for (const m of messages)
      if (!seen.has(m.position)) {
        seen.add(m.position);
        firsts.push(m.position);
      }
    assert.deepEqual(firsts, Array.from({ length: Number(head) }, (_, i) => BigInt(i + 1)), 'no event lost or reordered');
    // How hard the restart hit: produce retries, duplicates it left on the topic.
    console.error(`# relay produce retries: ${retries}; duplicate messages on the topic: ${messages.length - firsts.length}`);

    const pool = await dumpDomainReadModels(readClient);
    const rebuilt = await referenceReadModels(store, reference);
    for (const p of domainProjections) assert.equal(pool.get(p.name), rebuilt.get(p.name), `${p.name}: differs from the rebuild`);
  });
});
