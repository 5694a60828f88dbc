import type { EventShape } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';
import { CorruptStreamError } from '../corrupt-stream-error.ts';
import { isEventOf, type CommandShape, type Decider } from '../decider.ts';

const READ_PAGE = 1_000;

/**
 * The state of one aggregate as its stream stands now, for checks that cross
 * streams (a user's voice policy lives in its own stream). Such a check is
 * advisory: the other stream may change right after it is read.
 */
export async function readAggregate<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape>(
  store: EventStore<StoreEvent>,
  decider: Decider<C, E, S>,
  streamId: string,
): Promise<S> {
  let state = decider.initialState();
  for (let fromVersion = 0; ; fromVersion += READ_PAGE) {
    const page = await store.readStream(streamId, { fromVersion, limit: READ_PAGE });
    for (const event of page) {
      if (!isEventOf<E>(decider, event)) throw new CorruptStreamError(streamId, event.streamVersion, event.type, decider.category);
      state = decider.evolve(state, event);
    }
    if (page.length < READ_PAGE) return state;
  }
}
