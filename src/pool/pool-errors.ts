/** Base class so callers can tell Pool (Kafka) errors from everything else with one `instanceof`. */
export abstract class PoolError extends Error {
  abstract readonly code: string;
}

/** The Kafka settings are malformed; nothing was started. The message names the variable. */
export class PoolConfigError extends PoolError {
  readonly code = 'pool_config';
  constructor(message: string) {
    super(message);
    this.name = 'PoolConfigError';
  }
}

/** No broker answered within the bounded connection attempts. */
export class KafkaUnavailableError extends PoolError {
  readonly code = 'kafka_unavailable';
  constructor(
    readonly brokers: readonly string[],
    readonly timeoutMs: number,
    cause: unknown,
  ) {
    super(
      `Kafka is unreachable at ${brokers.join(',')} (gave up after ${timeoutMs} ms): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'KafkaUnavailableError';
  }
}

/** The topic does not exist and this role may not create it (the broker has auto-creation off). */
export class UnknownTopicError extends PoolError {
  readonly code = 'unknown_topic';
  constructor(readonly topic: string, hint: string) {
    super(`Kafka topic ${JSON.stringify(topic)} does not exist: ${hint}`);
    this.name = 'UnknownTopicError';
  }
}

/** The topic exists but is shaped so that this role cannot keep its guarantees (e.g. too many partitions). */
export class TopicLayoutError extends PoolError {
  readonly code = 'topic_layout';
  constructor(readonly topic: string, reason: string) {
    super(`Kafka topic ${JSON.stringify(topic)}: ${reason}`);
    this.name = 'TopicLayoutError';
  }
}

/** A message on the topic is not a recorded event of the catalogue: the projector stops rather than skip it. */
export class EventMessageError extends PoolError {
  readonly code = 'event_message';
  constructor(readonly where: string, reason: string) {
    super(`${where}: ${reason}`);
    this.name = 'EventMessageError';
  }
}
