import { AVAILABILITY_CODES } from '../../events/domain/availability.ts';
import { aggregatePresence, presenceValidThrough } from './aggregate-presence.ts';
import { isLiveAt } from './instants.ts';
import type { AggregatedPresence } from './presence-inputs.ts';
import type { PresenceViewState, PresenceWatcher } from './presence-view-state.ts';

/** The presence a user has when the model knows nothing about them. */
export const UNKNOWN_USER_PRESENCE: AggregatedPresence = {
  availability: 'offline',
  code: AVAILABILITY_CODES.offline,
  activity: null,
  note: null,
  source: 'no_endpoint',
};

/**
 * What the SIP presence server reads, synchronously, on its hot path. Every
 * time-dependent answer takes the caller's `now` (ISO-8601): the model itself
 * never reads the clock, it holds expiries.
 */
export interface PresenceReader {
  /** The user's aggregated presence at `now`; Offline for a user the model does not know. */
  presenceOf(sipUri: string, now: string): AggregatedPresence;
  /**
   * The last instant through which `presenceOf(sipUri, t)` keeps its value at
   * `now` unless an event arrives (the earliest live expiry); null when nothing
   * expires. Lets the server schedule the NOTIFY of an expiry before its sweep.
   */
  presenceValidThrough(sipUri: string, now: string): string | null;
  /** The live subscriptions to the user's presence at `now`, by subscription id. */
  watchersOf(sipUri: string, now: string): readonly PresenceWatcher[];
  /** True while the user is a party to an answered call that has not ended. */
  isInCall(sipUri: string): boolean;
  /** The watcher AORs and domains the user blocks (see `isBlockedBy`); empty when none. */
  blockedWatchersOf(sipUri: string): readonly string[];
}

/** A reader over a view's state. Takes the holder, not the state: a view swaps its state in when it seeds. */
export function createPresenceReader(view: { readonly state: PresenceViewState }): PresenceReader {
  return {
    presenceOf(sipUri, now) {
      const record = view.state.users.get(sipUri);
      return record ? aggregatePresence(record, now) : UNKNOWN_USER_PRESENCE;
    },
    presenceValidThrough(sipUri, now) {
      const record = view.state.users.get(sipUri);
      return record ? presenceValidThrough(record, now) : null;
    },
    watchersOf(sipUri, now) {
      const watchers = view.state.watchers.get(sipUri);
      if (!watchers) return [];
      return [...watchers.values()]
        .filter((w) => isLiveAt(w.expiresAt, now))
        .sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : a.subscriptionId > b.subscriptionId ? 1 : 0));
    },
    isInCall(sipUri) {
      return (view.state.users.get(sipUri)?.calls.size ?? 0) > 0;
    },
    blockedWatchersOf(sipUri) {
      return view.state.blocks.get(sipUri) ?? [];
    },
  };
}
