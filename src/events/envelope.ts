import { z } from 'zod';

/**
 * The shape every domain event has before it is stored: a discriminating `type`
 * (`<area>.<name>.v<N>`) and its `data`. Catalogues narrow this to a union.
 */
export interface EventShape {
  readonly type: string;
  readonly data: unknown;
}

const Iso = z.iso.datetime({ offset: true });

/** Metadata the writer supplies. `recordedAt` is stamped by the store, never by the caller. */
export const NewEventMetadataSchema = z.strictObject({
  occurredAt: Iso,
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).nullable(),
  actor: z.string().min(1).max(512),
  node: z.string().min(1).max(200),
});
export type NewEventMetadata = z.infer<typeof NewEventMetadataSchema>;

export const EventMetadataSchema = NewEventMetadataSchema.extend({ recordedAt: Iso });
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

/** UUIDv7: time-ordered, so ids sort roughly by creation and index well. */
export const EventIdSchema = z.uuid({ version: 'v7' });

/** An event as handed to `EventStore.append`. The id makes re-appends idempotent. */
export type NewEvent<E extends EventShape = EventShape> = E extends EventShape
  ? E & { readonly id: string; readonly metadata: NewEventMetadata }
  : never;

/** Envelope fields the log adds when an event is committed. */
export interface RecordedFields {
  readonly id: string;
  readonly streamId: string;
  /** 0-based position of the event inside its stream (EventStoreDB's "revision"). */
  readonly streamVersion: number;
  /** 1-based, strictly increasing across the whole log, in commit order. */
  readonly globalPosition: bigint;
  readonly metadata: EventMetadata;
}

/** A committed event; distributes over the union so `switch (e.type)` narrows `e.data`. */
export type RecordedEvent<E extends EventShape = EventShape> = E extends EventShape ? E & RecordedFields : never;
