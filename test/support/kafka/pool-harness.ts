/**
 * Shared pieces of the Pool tests (test/integration/pool): where Kafka and
 * PostgreSQL are, a fresh schema per log, the domain workload appended in
 * slices, and the reference every Pool result is compared with: the same
 * domain projections rebuilt from the log by the single-process runner.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DomainWorkload, type WorkloadAppend } from '../../../bench/projections-workload.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import { kafkaConfig, type KafkaConfig, type KafkaConfigInput } from '../../../src/pool/kafka-config.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import { ProjectionManager, dumpTables } from '../../../src/projections/framework/index.ts';
import { PgClient } from '../../../src/storage/pg-client.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { silentLogger } from '../silent-logger.ts';

export const KAFKA_BROKERS = process.env['KAFKA_BROKERS'];
export const DATABASE_URL = process.env['DATABASE_URL'];

/** Why the Pool tests cannot run here, or false. */
export const poolSkip: string | false = !KAFKA_BROKERS
  ? 'KAFKA_BROKERS not set (start one: bash infra/kafka/kafka.sh install && bash infra/kafka/kafka.sh start)'
  : !DATABASE_URL
    ? 'DATABASE_URL not set'
    : false;

export const runId = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** Test Kafka settings: the broker under test, a short session so a killed worker's groups move quickly. */
export function testKafkaConfig(overrides: Partial<KafkaConfigInput> & Pick<KafkaConfigInput, 'topic'>): KafkaConfig {
  return kafkaConfig({
    brokers: KAFKA_BROKERS ?? '',
    clientId: 'chorus-test',
    connectTimeoutMs: '15000',
    sessionTimeoutMs: '6000',
    ...overrides,
  });
}

export function rawKafka(): Kafka {
  return new Kafka({ clientId: 'chorus-test-reader', brokers: (KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
}

/** A fresh schema of DATABASE_URL, reached through search_path (no CREATE DATABASE needed). */
export interface TestSchema {
  readonly name: string;
  /** DATABASE_URL pointing into the schema. */
  readonly url: string;
  client(max?: number): PgClient;
  drop(): Promise<void>;
}

export async function createSchema(prefix: string): Promise<TestSchema> {
  const base = DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `${prefix}_${runId()}`;
  const admin = new PgClient({ connectionString: base, max: 1, applicationName: 'chorus-pool-test-admin' });
  try {
    await admin.exec(`CREATE SCHEMA "${name}"`);
  } finally {
    await admin.close();
  }
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${name}`);
  const url = u.toString();
  return {
    name,
    url,
    client: (max = 4) => new PgClient({ connectionString: url, max, applicationName: 'chorus-pool-test' }),
    async drop() {
      const cleanup = new PgClient({ connectionString: base, max: 1, applicationName: 'chorus-pool-test-admin' });
      try {
        await cleanup.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await cleanup.close();
      }
    },
  };
}

export function openLog(schema: TestSchema): Promise<PostgresEventStore<DomainEvent>> {
  return PostgresEventStore.open({ connectionString: schema.url, catalogue: domainCatalogue });
}

/** The domain workload (users, registrations, presence, calls, IM), appended a slice at a time. */
export class WorkloadFeed {
  readonly #rounds: Iterator<WorkloadAppend[]>;
  readonly #store: EventStore<DomainEvent>;
  appended = 0;

  constructor(store: EventStore<DomainEvent>, events: number, users = 40) {
    this.#store = store;
    this.#rounds = new DomainWorkload({ events, users, roundEvents: 50 }).rounds();
  }

  /** Appends about `events` more (whole rounds); returns false when the workload is exhausted. */
  async append(events: number): Promise<boolean> {
    const target = this.appended + events;
    while (this.appended < target) {
      const next = this.#rounds.next();
      if (next.done) return false;
      // A round touches distinct streams: its appends may run concurrently, as front ends would.
      await Promise.all(
        next.value.map(async (a) => {
          await this.#store.append(a.streamId, a.events, { expectedVersion: a.expectedVersion });
          this.appended += a.events.length;
        }),
      );
    }
    return true;
  }
}

/** Every domain projection's tables as one dump per projection. */
export async function dumpDomainReadModels(client: SqlClient): Promise<Map<string, string>> {
  const dumps = new Map<string, string>();
  for (const p of domainProjections) dumps.set(p.name, await dumpTables(client, p.tables));
  return dumps;
}

/** The single-process rebuild: the Standard runner builds every domain projection from the log into `schema`. */
export async function referenceReadModels(store: EventStore<DomainEvent>, schema: TestSchema): Promise<Map<string, string>> {
  const client = schema.client();
  const manager = new ProjectionManager<DomainEvent>({ store, client, projections: domainProjections, logger: silentLogger });
  try {
    await manager.start();
    await manager.waitForPosition(await store.headPosition(), 120_000);
    return await dumpDomainReadModels(client);
  } finally {
    await manager.close();
    await client.close();
  }
}

const CHECKPOINTS = /* sql */ `SELECT name, position::text AS position FROM chorus_projection_checkpoints`;

/** True once every domain projection's checkpoint in `client` is at `head`. */
export async function allAt(client: SqlClient, head: bigint): Promise<boolean> {
  const rows = (await client.query<{ name: string; position: string }>(CHECKPOINTS)).rows;
  const at = new Map(rows.map((r) => [r.name, BigInt(r.position)]));
  return domainProjections.every((p) => at.get(p.name) === head);
}

export interface TopicMessage {
  readonly offset: bigint;
  readonly key: string;
  readonly position: bigint;
  readonly streamId: string;
  readonly streamVersion: number;
}

/** Every message of a one-partition topic, in offset order, decoded with the catalogue (as the projector does). */
export async function readTopic(topic: string, timeoutMs = 60_000): Promise<TopicMessage[]> {
  const { decodeEventMessage } = await import('../../../src/pool/event-message.ts');
  const kafka = rawKafka();
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = BigInt(end?.high ?? '0');
  const out: TopicMessage[] = [];
  if (high === 0n) return out;
  const consumer = kafka.consumer({ groupId: `chorus-test-reader-${runId()}`, maxWaitTimeInMs: 100 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${high} messages of ${topic}`)), timeoutMs);
      consumer
        .run({
          eachMessage: ({ message }) => {
            const e = decodeEventMessage(domainCatalogue, message.value, message.key, `${topic}@${message.offset}`);
            out.push({ offset: BigInt(message.offset), key: message.key!.toString(), position: e.globalPosition, streamId: e.streamId, streamVersion: e.streamVersion });
            if (BigInt(message.offset) >= high - 1n) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return out.filter((m) => m.offset < high);
}

/** The first `count` message values of a topic as raw text (no decoding): what a reader of the broker sees. */
export async function readTopicValues(topic: string, count: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = rawKafka().consumer({ groupId: `chorus-test-raw-${runId()}`, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void values.push(message.value?.toString('utf8') ?? '')) });
    for (const deadline = Date.now() + timeoutMs; values.length < count; await new Promise((r) => setTimeout(r, 20)))
      if (Date.now() > deadline) throw new Error(`read ${values.length} of ${count} messages of ${topic}`);
    return values.slice(0, count);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

export async function deleteTopic(topic: string): Promise<void> {
  const admin = rawKafka().admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // best effort: a leftover test topic costs only disk
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
