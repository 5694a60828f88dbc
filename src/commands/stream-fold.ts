import type { EventShape } from '../events/envelope.ts';
import type { EventStore } from '../events/event-store.ts';
import { CorruptStreamError } from './corrupt-stream-error.ts';
import { isEventOf, type CommandShape, type Decider } from './decider.ts';

/** Page size for reading a stream back; the store's default and a sane batch. */
export const READ_PAGE = 1_000;

/** An aggregate's state and the version of the stream's last event folded into it (null: the stream is empty). */
export interface Folded<S> {
  readonly state: S;
  readonly version: number | null;
}

/**
 * Folds the events of `streamId` after `from.version` onto `from.state`, page by
 * page. From `{ initialState(), null }` that is the whole stream; from a cached
 * state it is only what others appended since, usually nothing (one empty read).
 */
export async function foldStreamFrom<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape>(
  store: EventStore<StoreEvent>,
  decider: Decider<C, E, S>,
  streamId: string,
  from: Folded<S>,
): Promise<Folded<S>> {
  let { state, version } = from;
  for (;;) {
    const page = await store.readStream(streamId, { fromVersion: version === null ? 0 : version + 1, limit: READ_PAGE });
    for (const event of page) {
      if (!isEventOf<E>(decider, event)) throw new CorruptStreamError(streamId, event.streamVersion, event.type, decider.category);
      state = decider.evolve(state, event);
      version = event.streamVersion;
    }
    if (page.length < READ_PAGE) return { state, version };
  }
}
