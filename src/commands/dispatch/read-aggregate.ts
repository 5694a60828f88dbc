import type { EventShape } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { AggregateCache } from '../aggregate-cache.ts';
import type { CommandShape, Decider } from '../decider.ts';
import { foldStreamFrom } from '../stream-fold.ts';

/**
 * The state of one aggregate as its stream stands now, for checks that cross
 * streams (a user's voice policy lives in its own stream). Such a check is
 * advisory: the other stream may change right after it is read. With a cache
 * only the events after the cached version are read (usually none).
 */
export async function readAggregate<C extends CommandShape, E extends StoreEvent, S, StoreEvent extends EventShape>(
  store: EventStore<StoreEvent>,
  decider: Decider<C, E, S>,
  streamId: string,
  cache?: AggregateCache,
): Promise<S> {
  const from = cache?.get(streamId, decider.evolve) ?? { state: decider.initialState(), version: null };
  const folded = await foldStreamFrom(store, decider, streamId, from);
  cache?.remember(streamId, decider.evolve, folded);
  return folded.state;
}
