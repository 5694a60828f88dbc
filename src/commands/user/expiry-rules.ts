import { isBefore } from '../time.ts';
import type { ActiveUser, Endpoint, UserEvent } from './user-state.ts';

/** A binding, publication or subscription is live up to and including its expiry instant. */
export function isLive(expiresAt: string, now: string): boolean {
  return !isBefore(expiresAt, now);
}

export function liveEndpoints(user: ActiveUser, now: string): Endpoint[] {
  return [...user.endpoints.values()].filter((e) => isLive(e.expiresAt, now));
}

/**
 * Expires every binding past its time, withdrawing the presence it published.
 * Registration calls this first so a dead binding never holds a slot.
 */
export function expireStaleEndpoints(user: ActiveUser, now: string): UserEvent[] {
  const sipUri = user.profile.sipUri;
  const events: UserEvent[] = [];
  for (const e of user.endpoints.values()) {
    if (isLive(e.expiresAt, now)) continue;
    events.push({
      type: 'endpoint.expired.v1',
      data: { sipUri, endpointId: e.endpointId, contact: e.contact, expiredAt: e.expiresAt, at: now },
    });
    const publication = user.publications.get(e.endpointId);
    if (publication)
      events.push({
        type: 'presence.withdrawn.v1',
        data: { sipUri, endpointId: e.endpointId, etag: publication.etag, reason: 'endpoint_expired', at: now },
      });
  }
  return events;
}

/** SweepExpired: writes down every lapse the read models cannot see on their own (they never read the clock). */
export function sweepExpired(user: ActiveUser, now: string): UserEvent[] {
  const sipUri = user.profile.sipUri;
  const events = expireStaleEndpoints(user, now);
  for (const p of user.publications.values()) {
    const endpoint = user.endpoints.get(p.endpointId);
    // Publications of expired endpoints were withdrawn above.
    if (endpoint && !isLive(endpoint.expiresAt, now)) continue;
    if (isLive(p.expiresAt, now)) continue;
    events.push({
      type: 'presence.expired.v1',
      data: { sipUri, endpointId: p.endpointId, etag: p.etag, expiredAt: p.expiresAt, at: now },
    });
  }
  for (const w of user.watchers.values()) {
    if (isLive(w.expiresAt, now)) continue;
    events.push({
      type: 'presence.watcher_unsubscribed.v1',
      data: { sipUri, watcherUri: w.watcherUri, subscriptionId: w.subscriptionId, reason: 'expired', at: now },
    });
  }
  const chosen = user.chosenState;
  if (chosen?.until && isBefore(chosen.until, now))
    events.push({ type: 'presence.user_state_cleared.v1', data: { sipUri, reason: 'expired', at: now } });
  return events;
}
