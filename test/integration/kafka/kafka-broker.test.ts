/**
 * The real Kafka broker that the Pool edition's relay and projector will use (infra/kafka/kafka.sh),
 * driven with kafkajs exactly the way Chorus needs it: an idempotent producer writing keyed messages,
 * a consumer group reading them back. It proves the two things the Pool edition builds on:
 *   - every message arrives once, and all messages of one key arrive in the order they were produced;
 *   - a key always lands on one partition, and the group's committed offsets cover everything read.
 *
 * Needs KAFKA_BROKERS (comma-separated host:port, e.g. 127.0.0.1:9092); without it the test is
 * reported as skipped, never as passed. Start a broker with
 *   bash infra/kafka/kafka.sh install && bash infra/kafka/kafka.sh start
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { z } from 'zod';

const KAFKA_BROKERS = process.env.KAFKA_BROKERS;

/** KAFKA_BROKERS: `host:port[,host:port…]`. A set but malformed value fails the test, it does not skip it. */
const BrokerListSchema = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()))
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

/** What the test writes into each message's value: which key and the key's own sequence number. */
const PayloadSchema = z.object({ key: z.string(), seq: z.number().int().nonnegative() });

const MESSAGE_COUNT = 1_000;
const KEY_COUNT = 25;
const MESSAGES_PER_SEND = 100;
const PARTITIONS = 6;
/** Upper bound on waiting for the consumer group; reaching it fails the test with what did arrive. */
const CONSUME_DEADLINE_MS = 30_000;

interface Received {
  readonly key: string;
  readonly seq: number;
  readonly partition: number;
}

describe('Kafka broker (real, via KAFKA_BROKERS)', () => {
  it(
    'delivers 1,000 keyed messages from an idempotent producer to a consumer group once each, in per-key order',
    { skip: KAFKA_BROKERS ? false : 'KAFKA_BROKERS not set', timeout: 60_000 },
    async () => {
      const parsed = BrokerListSchema.safeParse(KAFKA_BROKERS);
      if (!parsed.success) throw new Error(`KAFKA_BROKERS=${KAFKA_BROKERS}: ${z.prettifyError(parsed.error)}`);
      const brokers = parsed.data;
      const runId = randomUUID();
      const topic = `chorus-test-broker-${runId}`;
      const groupId = `chorus-test-broker-group-${runId}`;
      const kafka = new Kafka({ clientId: 'chorus-kafka-broker-test', brokers, logLevel: logLevel.NOTHING });

      const admin: Admin = kafka.admin();
      // Chorus's relay needs exactly this: no duplicates on retry, no reordering within a key.
      const producer: Producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // The Java client's murmur2 partitioner: keys map to the partitions any Kafka tool expects.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });

      try {
        await admin.connect();
        const created = await admin.createTopics({
          topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
          waitForLeaders: true,
        });
        assert.equal(created, true, `topic ${topic} was not created`);

        // --- produce: 1,000 messages over 25 keys, each key numbering its own messages 0,1,2,…
        await producer.connect();
        const sentPerKey = new Map<string, number>();
        for (let first = 0; first < MESSAGE_COUNT; first += MESSAGES_PER_SEND) {
          const messages = [];
          for (let i = first; i < first + MESSAGES_PER_SEND; i++) {
            const key = `key-${i % KEY_COUNT}`;
            const seq = sentPerKey.get(key) ?? 0;
            sentPerKey.set(key, seq + 1);
            messages.push({ key, value: JSON.stringify({ key, seq }) });
          }
          const metadata = await producer.send({ topic, messages });
          for (const m of metadata) assert.equal(m.errorCode, 0, `produce to partition ${m.partition} failed`);
        }

        // --- consume with a consumer group until all 1,000 arrived, the deadline passed, or it crashed
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        const received: Received[] = [];
        await new Promise<void>((resolve, reject) => {
          const deadline = setTimeout(
            () => reject(new Error(`received ${received.length} of ${MESSAGE_COUNT} messages in ${CONSUME_DEADLINE_MS} ms`)),
            CONSUME_DEADLINE_MS,
          );
          consumer.on(consumer.events.CRASH, (event) => {
            clearTimeout(deadline);
            reject(event.payload.error);
          });
          consumer
            .run({
              eachMessage: async ({ partition, message }) => {
                assert.ok(message.value, 'message without a value');
                const payload = PayloadSchema.parse(JSON.parse(message.value.toString('utf8')));
                assert.equal(message.key?.toString('utf8'), payload.key, 'message key differs from its payload');
                received.push({ key: payload.key, seq: payload.seq, partition });
                if (received.length >= MESSAGE_COUNT) {
                  clearTimeout(deadline);
                  resolve();
                }
              },
            })
            .catch((error: unknown) => {
              clearTimeout(deadline);
              reject(error instanceof Error ? error : new Error(String(error)));
            });
        });
        // Stopping lets the batch in hand finish, which commits its offsets (autoCommit).
        await consumer.disconnect();

        // --- every message once, per-key order intact, one partition per key
        assert.equal(received.length, MESSAGE_COUNT, 'message count');
        const byKey = new Map<string, Received[]>();
        for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
        assert.deepEqual([...byKey.keys()].sort(), [...sentPerKey.keys()].sort(), 'keys received');
        for (const [key, messages] of byKey) {
          const expected = Array.from({ length: sentPerKey.get(key) ?? 0 }, (_, seq) => seq);
          assert.deepEqual(
            messages.map((m) => m.seq),
            expected,
            `${key}: messages missing, duplicated or out of order`,
          );
          assert.equal(new Set(messages.map((m) => m.partition)).size, 1, `${key} was spread over partitions`);
        }

        // --- the group's committed offsets reach the end of every partition
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        assert.ok(committed, 'no committed offsets for the topic');
        const committedByPartition = new Map(committed.partitions.map((p) => [p.partition, p.offset]));
        let total = 0;
        for (const end of ends) {
          total += Number(end.high);
          assert.equal(committedByPartition.get(end.partition), end.high, `partition ${end.partition} committed offset`);
        }
        assert.equal(total, MESSAGE_COUNT, 'messages stored in the topic');
      } finally {
        // Each close is safe on a client that never connected; the topic goes even when an assert failed.
        await consumer.disconnect().catch(() => {});
        await producer.disconnect().catch(() => {});
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
        await admin.disconnect().catch(() => {});
      }
    },
  );
});
