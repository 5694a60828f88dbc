import { z } from 'zod';
import type { EventCatalogue } from '../events/catalogue.ts';
import { EventMetadataSchema, type EventShape, type RecordedEvent } from '../events/envelope.ts';
import { EventMessageError } from './pool-errors.ts';

/**
 * A recorded event as it travels through Kafka: the message key is the stream
 * id (one stream, one partition, its order kept), the value this JSON. The
 * global position is a decimal string because JSON numbers lose precision
 * above 2^53.
 */
const EventMessageSchema = z.strictObject({
  id: z.string().min(1),
  globalPosition: z.string().regex(/^[1-9][0-9]{0,19}$/, 'must be a positive decimal integer'),
  streamId: z.string().min(1),
  streamVersion: z.number().int().nonnegative(),
  type: z.string().min(1),
  data: z.unknown(),
  metadata: EventMetadataSchema,
});

export interface EventMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Header carrying the global position, so tools can read it without parsing the value. */
export const POSITION_HEADER = 'chorus-position';

export function encodeEventMessage<E extends EventShape>(event: RecordedEvent<E>): EventMessage {
  const value = JSON.stringify({
    id: event.id,
    globalPosition: event.globalPosition.toString(),
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  return { key: event.streamId, value, headers: { [POSITION_HEADER]: event.globalPosition.toString() } };
}

/**
 * Parses and validates a message value: the envelope with zod, the data with
 * the catalogue (which also upcasts legacy versions). `where` names the
 * message (topic/partition/offset) in the error.
 */
export function decodeEventMessage<E extends EventShape>(
  catalogue: EventCatalogue<E>,
  value: Buffer | null,
  key: Buffer | null,
  where: string,
): RecordedEvent<E> {
  if (value === null) throw new EventMessageError(where, 'message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new EventMessageError(where, `value is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = EventMessageSchema.safeParse(json);
  if (!parsed.success) throw new EventMessageError(where, `not a recorded event: ${z.prettifyError(parsed.error)}`);
  const m = parsed.data;
  if (key === null || key.toString('utf8') !== m.streamId)
    throw new EventMessageError(where, `message key ${JSON.stringify(key?.toString('utf8') ?? null)} is not its stream id ${m.streamId}`);
  let decoded: E;
  try {
    decoded = catalogue.decode(m.type, m.data);
  } catch (error) {
    throw new EventMessageError(where, error instanceof Error ? error.message : String(error));
  }
  return {
    ...decoded,
    id: m.id,
    streamId: m.streamId,
    streamVersion: m.streamVersion,
    globalPosition: BigInt(m.globalPosition),
    metadata: m.metadata,
  } as RecordedEvent<E>;
}
