import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';

const PAGE = 1_000;

/**
 * Every event of one stream recorded at or before `at`, in stream order. A
 * single aggregate's stream is short (a call, a conference), so it is read
 * whole; no snapshot is worth its upkeep here.
 */
export async function streamEventsAsOf(store: EventStore<DomainEvent>, streamId: string, at: string): Promise<RecordedEvent<DomainEvent>[]> {
  const cutoff = Date.parse(at);
  const events: RecordedEvent<DomainEvent>[] = [];
  for (let fromVersion = 0; ; ) {
    const page = await store.readStream(streamId, { fromVersion, limit: PAGE });
    for (const event of page) if (Date.parse(event.metadata.recordedAt) <= cutoff) events.push(event);
    if (page.length < PAGE) return events;
    fromVersion = page[page.length - 1]!.streamVersion + 1;
  }
}
