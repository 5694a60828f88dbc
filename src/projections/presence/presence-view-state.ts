import type { TrackedCall } from './call-parties.ts';
import type { MachinePublication, PresenceInputs, UserSetState } from './presence-inputs.ts';

/** One user's entry in the view: the aggregation inputs, mutable in place (see InMemoryViewDefinition). */
export interface PresenceRecord extends PresenceInputs {
  readonly endpoints: Map<string, string>;
  readonly publications: Map<string, MachinePublication>;
  userState: UserSetState | null;
  readonly calls: Set<string>;
}

/** A presence subscription (RFC 6665 dialog) to a user. */
export interface PresenceWatcher {
  readonly subscriptionId: string;
  readonly watcherUri: string;
  readonly expiresAt: string;
}

/**
 * The presence view's state. `users` holds an entry only for a user with at
 * least one input (an empty entry is dropped), exactly the users the SQL
 * projection has a `presence_states` row for.
 */
export interface PresenceViewState {
  /** sipUri → aggregation inputs. */
  readonly users: Map<string, PresenceRecord>;
  /** Sip Call-ID → the calls not yet ended. */
  readonly calls: Map<string, TrackedCall>;
  /** Watched sipUri → subscriptionId → watcher: the fan-out index of the presence server. */
  readonly watchers: Map<string, Map<string, PresenceWatcher>>;
  /** sipUri → the watcher AORs and domains the user blocks, in their order; no entry for an empty list. */
  readonly blocks: Map<string, readonly string[]>;
}

export function emptyPresenceViewState(): PresenceViewState {
  return { users: new Map(), calls: new Map(), watchers: new Map(), blocks: new Map() };
}

export function emptyPresenceRecord(): PresenceRecord {
  return { endpoints: new Map(), publications: new Map(), userState: null, calls: new Set() };
}

/** The user's entry, created on first use. */
export function presenceRecord(state: PresenceViewState, sipUri: string): PresenceRecord {
  let record = state.users.get(sipUri);
  if (!record) {
    record = emptyPresenceRecord();
    state.users.set(sipUri, record);
  }
  return record;
}

/** The watchers of `sipUri`, created on first use. */
export function watchersOf(state: PresenceViewState, sipUri: string): Map<string, PresenceWatcher> {
  let watchers = state.watchers.get(sipUri);
  if (!watchers) {
    watchers = new Map();
    state.watchers.set(sipUri, watchers);
  }
  return watchers;
}
