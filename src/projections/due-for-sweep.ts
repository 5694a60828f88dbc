import { isLiveAt } from './presence/instants.ts';
import type { LocationViewState } from './location/location-view-state.ts';
import type { PresenceViewState } from './presence/presence-view-state.ts';

/**
 * Which users hold something past its time that no event has written off yet:
 * a binding, a publication, a user-set state with an `until`, or a watcher's
 * subscription. The expiry sweeper sends those users SweepExpired; the read
 * models never read the clock, so this is the only way a lapse reaches them.
 * Scans the views (O(users)); a sweep runs every few seconds, not per request.
 */
export function usersDueForSweep(
  location: { readonly state: LocationViewState },
  presence: { readonly state: PresenceViewState },
  now: string,
  limit: number,
): string[] {
  const due = new Set<string>();
  const lapsed = (expiresAt: string) => !isLiveAt(expiresAt, now);
  for (const [aor, bindings] of location.state.byAor) {
    if (due.size >= limit) return [...due];
    for (const binding of bindings.values())
      if (lapsed(binding.expiresAt)) {
        due.add(aor);
        break;
      }
  }
  for (const [sipUri, record] of presence.state.users) {
    if (due.size >= limit) return [...due];
    if (record.userState?.until && lapsed(record.userState.until)) due.add(sipUri);
    for (const publication of record.publications.values()) if (lapsed(publication.expiresAt)) due.add(sipUri);
  }
  // A subscription lives in the watched user's stream (SubscribeWatcher is sent to it).
  for (const [watched, watchers] of presence.state.watchers) {
    if (due.size >= limit) return [...due];
    for (const watcher of watchers.values()) if (lapsed(watcher.expiresAt)) due.add(watched);
  }
  return [...due].slice(0, limit);
}
