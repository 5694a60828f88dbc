import { Kafka, logLevel, type Admin, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '../logging/logger.ts';
import type { KafkaConfig } from './kafka-config.ts';
import { KafkaUnavailableError } from './pool-errors.ts';

/**
 * kafkajs logs through pino. Its ERROR lines include retriable conditions it
 * handles itself (a coordinator loading, a rebalance, a broker restarting), so
 * they are logged as warnings; a real failure reaches Chorus as a rejected
 * promise or a CRASH event and is logged there as an error.
 */
function pinoLogCreator(log: Logger): logCreator {
  return () =>
    ({ level, label, log: entry }: LogEntry) => {
      const { message, ...fields } = entry;
      const line = { kafkajs: label, ...fields };
      if (level <= logLevel.WARN) log.warn(line, message);
      else if (level === logLevel.INFO) log.debug(line, message);
      else log.trace(line, message);
    };
}

/**
 * One kafkajs client for a Pool role (`relay`, `projector`). Connection and
 * request timeouts come from the configuration; the default retry policy is
 * for steady state (a broker restart is waited out), while start-up is bounded
 * separately by `connectAdmin`.
 */
export function createKafka(config: KafkaConfig, role: string, log: Logger): Kafka {
  return new Kafka({
    clientId: `${config.clientId}-${role}`,
    brokers: [...config.brokers],
    connectionTimeout: Math.min(config.connectTimeoutMs, 3_000),
    requestTimeout: config.requestTimeoutMs,
    logCreator: pinoLogCreator(log.child({ module: 'kafkajs' })),
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8 },
  });
}

/** Resolves with `promise`, or rejects with `onTimeout()` after `ms` (the promise is left to settle on its own). */
export async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connects an admin client and proves the cluster answers (metadata lists a
 * broker), within `connectTimeoutMs`: a wrong address or a broker that is down
 * fails start-up with KafkaUnavailableError instead of retrying forever.
 */
export async function connectAdmin(kafka: Kafka, config: KafkaConfig): Promise<Admin> {
  const admin = kafka.admin({ retry: { initialRetryTime: 200, maxRetryTime: 1_000, retries: 100 } });
  const attempt = (async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('the cluster metadata lists no live broker');
  })();
  try {
    await withDeadline(attempt, config.connectTimeoutMs, () => new Error('no broker answered'));
    return admin;
  } catch (error) {
    attempt.catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    throw new KafkaUnavailableError(config.brokers, config.connectTimeoutMs, error);
  }
}
