import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { defineInMemoryView } from '../framework/index.ts';
import { evolveTrackedCall } from './call-parties.ts';
import { PRESENCE_EVENT_TYPES, type PresenceEventType, type RecordedPresenceEvent } from './presence-event-types.ts';
import { canonicalInstant } from './instants.ts';
import { isEmptyPresence } from './presence-inputs.ts';
import {
  emptyPresenceViewState,
  presenceRecord,
  watchersOf,
  type PresenceRecord,
  type PresenceViewState,
} from './presence-view-state.ts';

/** Distinct from the SQL projection's name: a ProjectionManager refuses two of one name. */
export const PRESENCE_VIEW_NAME = 'presence_view';

/**
 * The presence model in memory, for the SIP presence server: each user's
 * aggregation inputs (read through `createPresenceReader`, which aggregates
 * at the caller's `now`) and the watchers to fan NOTIFYs out to.
 *
 * `apply` returns the users whose presence inputs changed: the users to
 * re-evaluate and NOTIFY. A watcher subscribing or leaving changes no one's
 * presence, so it returns no key (the SUBSCRIBE handler sends the first NOTIFY
 * itself, RFC 6665 §4.2.1). A new block list returns its user, so the server
 * re-checks who may keep watching them. Deprovisioning returns the user: their presence
 * is gone and their subscriptions with it.
 */
export const presenceView = defineInMemoryView<DomainEvent, PresenceViewState, string, PresenceEventType>({
  name: PRESENCE_VIEW_NAME,
  canHandle: PRESENCE_EVENT_TYPES,
  initialState: emptyPresenceViewState,
  apply: applyPresenceEvent,
});

export function applyPresenceEvent(state: PresenceViewState, event: RecordedPresenceEvent): readonly string[] {
  switch (event.type) {
    case 'presence.published.v1': {
      const d = event.data;
      presenceRecord(state, d.sipUri).publications.set(d.endpointId, {
        endpointId: d.endpointId,
        availability: d.availability,
        code: d.code,
        activity: d.activity,
        note: d.note,
        etag: d.etag,
        expiresAt: canonicalInstant(d.expiresAt),
      });
      return [d.sipUri];
    }
    case 'presence.withdrawn.v1':
    case 'presence.expired.v1':
      return change(state, event.data.sipUri, (r) => r.publications.delete(event.data.endpointId));
    case 'presence.user_state_set.v1': {
      const d = event.data;
      presenceRecord(state, d.sipUri).userState = {
        availability: d.availability,
        code: d.code,
        note: d.note,
        until: d.until === null ? null : canonicalInstant(d.until),
      };
      return [d.sipUri];
    }
    case 'presence.user_state_cleared.v1':
      return change(state, event.data.sipUri, (r) => {
        const had = r.userState !== null;
        r.userState = null;
        return had;
      });
    case 'presence.watcher_subscribed.v1': {
      const d = event.data;
      watchersOf(state, d.sipUri).set(d.subscriptionId, {
        subscriptionId: d.subscriptionId,
        watcherUri: d.watcherUri,
        expiresAt: canonicalInstant(d.expiresAt),
      });
      return [];
    }
    case 'presence.watcher_unsubscribed.v1': {
      const watchers = state.watchers.get(event.data.sipUri);
      watchers?.delete(event.data.subscriptionId);
      if (watchers?.size === 0) state.watchers.delete(event.data.sipUri);
      return [];
    }
    case 'presence.blocks_set.v1': {
      const d = event.data;
      if (d.blocked.length === 0) state.blocks.delete(d.sipUri);
      else state.blocks.set(d.sipUri, [...d.blocked]);
      // The user, as changed: the presence server re-checks its watchers against the new list.
      return [d.sipUri];
    }
    case 'endpoint.registered.v1':
    case 'endpoint.refreshed.v1':
      presenceRecord(state, event.data.sipUri).endpoints.set(event.data.endpointId, canonicalInstant(event.data.expiresAt));
      return [event.data.sipUri];
    case 'endpoint.unregistered.v1':
    case 'endpoint.expired.v1':
      return change(state, event.data.sipUri, (r) => r.endpoints.delete(event.data.endpointId));
    case 'call.initiated.v1':
    case 'call.routed.v1':
    case 'call.ringing.v1':
    case 'call.answered.v1':
    case 'call.forwarded.v1':
    case 'call.transferred.v1':
    case 'call.held.v1':
    case 'call.resumed.v1':
    case 'call.parked.v1':
    case 'call.retrieved.v1':
    case 'call.ended.v1': {
      const sipCallId = event.data.sipCallId;
      const { call, joined, left } = evolveTrackedCall(state.calls.get(sipCallId) ?? null, event);
      if (call) state.calls.set(sipCallId, call);
      else state.calls.delete(sipCallId);
      for (const user of joined) presenceRecord(state, user).calls.add(sipCallId);
      for (const user of left) change(state, user, (r) => r.calls.delete(sipCallId));
      return [...joined, ...left];
    }
    case 'directory.user_deprovisioned.v1': {
      const sipUri = event.data.sipUri;
      state.users.delete(sipUri);
      state.watchers.delete(sipUri);
      state.blocks.delete(sipUri);
      // Their own subscriptions die with them, and they leave every call, so a
      // later call.ended cannot bring an entry back for a user who is gone.
      for (const [watched, watchers] of state.watchers) {
        for (const [id, w] of watchers) if (w.watcherUri === sipUri) watchers.delete(id);
        if (watchers.size === 0) state.watchers.delete(watched);
      }
      for (const [id, call] of state.calls)
        if (call.parties.includes(sipUri)) state.calls.set(id, { ...call, parties: call.parties.filter((u) => u !== sipUri) });
      return [sipUri];
    }
    default: {
      const unreachable: never = event;
      throw new Error(`presence view cannot apply ${String(unreachable)}`);
    }
  }
}

/**
 * Mutates an existing entry (an event for a user the view has no entry for
 * changes nothing) and drops it when it became empty. Returns the user as
 * changed when `mutate` says it changed something.
 */
function change(state: PresenceViewState, sipUri: string, mutate: (record: PresenceRecord) => boolean): readonly string[] {
  const record = state.users.get(sipUri);
  if (!record) return [];
  const changed = mutate(record);
  if (isEmptyPresence(record)) state.users.delete(sipUri);
  return changed ? [sipUri] : [];
}
