import type { Admin } from 'kafkajs';
import { UnknownTopicError } from './pool-errors.ts';

export interface EnsureTopicOptions {
  /** Create the topic when it is missing. */
  readonly create: boolean;
  /** Replication factor of a topic this creates. Default 1 (the single-node test broker); 3 on a real cluster. */
  readonly replicationFactor?: number;
}

/**
 * The log's topic has ONE partition: projections that join streams (presence
 * reads call and user streams, the audit timeline and CDRs follow parties
 * across streams) need the log's global order, and only a single partition
 * keeps it (docs/pool.md). Messages are still keyed by stream id, so per-stream
 * order would survive a wider topic for consumers that only need that.
 *
 * Kept forever (`retention.ms=-1`): a projector whose projection is new or
 * changed version replays the topic from its first offset, so the topic must
 * hold the whole log, as the log itself does.
 */
export const EVENT_TOPIC_PARTITIONS = 1;

const TOPIC_CONFIG = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'cleanup.policy', value: 'delete' },
];

/** How many partitions `topic` has; throws UnknownTopicError when it does not exist. */
export async function topicPartitions(admin: Admin, topic: string, hint: string): Promise<number> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new UnknownTopicError(topic, hint);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const found = metadata.topics.find((t) => t.name === topic);
  if (!found) throw new UnknownTopicError(topic, hint);
  return found.partitions.length;
}

/** Makes sure the log's topic exists (creating it if allowed); returns its partition count. */
export async function ensureEventTopic(admin: Admin, topic: string, options: EnsureTopicOptions): Promise<number> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    if (!options.create)
      throw new UnknownTopicError(topic, 'create it (kafka-topics --create --partitions 1) or set CHORUS_KAFKA_CREATE_TOPIC=true on the relay');
    // false when another process created it in between: that is fine too.
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: EVENT_TOPIC_PARTITIONS,
          replicationFactor: options.replicationFactor ?? 1,
          configEntries: TOPIC_CONFIG,
        },
      ],
      waitForLeaders: true,
    });
  }
  return topicPartitions(admin, topic, 'it vanished right after being created');
}
