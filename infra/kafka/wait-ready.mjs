// One readiness probe for the test broker, run by `kafka.sh start` in a retry loop.
// "Ready" means a client can do what Chorus's tests do first: fetch cluster metadata that lists at
// least one live broker, list topics, and find a group coordinator. A port that accepts connections is
// not enough: the broker listens before it has caught up with the KRaft metadata log and registered
// itself (unfenced). The group lookup makes a fresh broker create __consumer_offsets now, so the
// first consumer group of the first test does not spend seconds in kafkajs's coordinator retries.
// Exit 0 when ready, 1 when not (the reason goes to stderr for the log of the final attempt).
import process from 'node:process';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({
  clientId: 'chorus-kafka-wait-ready',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 4000,
  // The shell loop owns retrying and the overall deadline; one quick attempt here.
  retry: { retries: 0 },
});
const admin = kafka.admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length === 0) throw new Error('metadata lists no live broker yet');
  const topics = (await admin.listTopics()).filter((name) => !name.startsWith('__'));
  // FindCoordinator fails with GROUP_COORDINATOR_NOT_AVAILABLE until __consumer_offsets is online.
  await admin.describeGroups(['chorus-kafka-wait-ready']);
  process.stdout.write(
    `ready: cluster ${cluster.clusterId}, controller ${cluster.controller}, ` +
      `${cluster.brokers.length} broker(s), ${topics.length} topic(s) besides internal ones\n`,
  );
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`not ready: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}
