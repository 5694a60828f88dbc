import { hostname } from 'node:os';
import { z } from 'zod';
import { PoolConfigError } from './pool-errors.ts';

const Millis = z.coerce.number().int().min(100).max(600_000);

/** `host:port[,host:port…]`, trimmed. */
const BrokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()).filter((b) => b !== ''))
  .pipe(z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'names no broker'));

/** Kafka topic names: what the broker accepts (letters, digits, `.`, `_`, `-`; at most 249). */
export const TopicNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1-249 of letters, digits, ".", "_", "-"')
  .refine((t) => t !== '.' && t !== '..', 'must not be "." or ".."');

/**
 * How the Pool reaches Kafka, read from the environment. Each field documents
 * its variable and default.
 */
export const KafkaConfigSchema = z.object({
  /** KAFKA_BROKERS — `host:port[,host:port…]`. Required for the relay and projector roles. */
  brokers: BrokerList,
  /** CHORUS_KAFKA_TOPIC — the topic carrying the log. Default `chorus.events`. */
  topic: TopicNameSchema.default('chorus.events'),
  /** CHORUS_KAFKA_CLIENT_ID — prefix of every client id (broker logs, quotas). Default `chorus`. */
  clientId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be letters, digits, ".", "_", "-"').default('chorus'),
  /**
   * CHORUS_KAFKA_CONNECT_TIMEOUT_MS — how long start-up may try to reach a broker
   * before failing with KafkaUnavailableError. Default 10,000.
   */
  connectTimeoutMs: Millis.default(10_000),
  /** CHORUS_KAFKA_REQUEST_TIMEOUT_MS — one request's timeout. Default 10,000. */
  requestTimeoutMs: Millis.default(10_000),
  /**
   * CHORUS_KAFKA_SESSION_TIMEOUT_MS — a projector that stops heartbeating for
   * this long loses its projections to the others. Default 10,000 (the
   * broker's floor is group.min.session.timeout.ms, 6,000 by default).
   */
  sessionTimeoutMs: Millis.default(10_000),
  /**
   * CHORUS_KAFKA_CREATE_TOPIC — `true`: the relay creates the topic when it is
   * missing (one partition, kept forever). `false` (default): a missing topic
   * is an error, like the broker's `auto.create.topics.enable=false`.
   */
  createTopic: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** CHORUS_NODE_ID — names this worker in consumer groups. Default `<host name>-<pid>`. */
  workerId: z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'must be letters, digits, ".", "_", ":", "@", "-"').optional(),
});

export type KafkaConfig = z.output<typeof KafkaConfigSchema>;
export type KafkaConfigInput = z.input<typeof KafkaConfigSchema>;

/** Config field → environment variable, so errors name what the operator must fix. */
export const KAFKA_ENV_NAMES: Record<keyof KafkaConfig, string> = {
  brokers: 'KAFKA_BROKERS',
  topic: 'CHORUS_KAFKA_TOPIC',
  clientId: 'CHORUS_KAFKA_CLIENT_ID',
  connectTimeoutMs: 'CHORUS_KAFKA_CONNECT_TIMEOUT_MS',
  requestTimeoutMs: 'CHORUS_KAFKA_REQUEST_TIMEOUT_MS',
  sessionTimeoutMs: 'CHORUS_KAFKA_SESSION_TIMEOUT_MS',
  createTopic: 'CHORUS_KAFKA_CREATE_TOPIC',
  workerId: 'CHORUS_NODE_ID',
};

/** Validates settings given in code (tests, embedding); throws PoolConfigError naming the field. */
export function kafkaConfig(input: KafkaConfigInput): KafkaConfig {
  const result = KafkaConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new PoolConfigError(describe(result.error, (key) => key));
}

/** Reads and validates the Kafka settings; throws PoolConfigError with a one-line message naming the variable. */
export function loadKafkaConfig(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(KAFKA_ENV_NAMES)) {
    const v = env[name];
    raw[key] = v === '' ? undefined : v;
  }
  const result = KafkaConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new PoolConfigError(describe(result.error, (key) => KAFKA_ENV_NAMES[key as keyof KafkaConfig] ?? key));
}

function describe(error: z.ZodError, name: (key: string) => string): string {
  const issue = error.issues[0]!;
  const key = issue.path[0];
  const where = typeof key === 'string' ? name(key) : 'Kafka configuration';
  // A required variable that is absent reads better as "is required" than zod's type message.
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return `${where}: ${message}`;
}

/** The worker's name in consumer groups: CHORUS_NODE_ID, else `<host>-<pid>`. */
export function workerIdOf(config: KafkaConfig): string {
  return config.workerId ?? `${hostname()}-${process.pid}`;
}
