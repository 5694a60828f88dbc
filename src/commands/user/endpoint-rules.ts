import type { DecisionContext } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import { addSeconds } from '../time.ts';
import { expireStaleEndpoints, liveEndpoints } from './expiry-rules.ts';
import type { UserCommandOf } from './user-commands.ts';
import type { ActiveUser, Endpoint, UserEvent } from './user-state.ts';

/**
 * The binding a REGISTER refreshes: RFC 5626 says an instance id identifies the
 * device whatever its contact; without one, the contact is the identity.
 */
function findBinding(endpoints: readonly Endpoint[], contact: string, instanceId: string | null): Endpoint | undefined {
  return instanceId !== null
    ? endpoints.find((e) => e.instanceId === instanceId)
    : endpoints.find((e) => e.contact === contact);
}

export function registerEndpoint(
  command: UserCommandOf<'RegisterEndpoint'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const now = context.now();
  const sipUri = user.profile.sipUri;
  const d = command.data;
  const instanceId = d.instanceId ?? null;
  // Dead bindings are written off first, in the same append, so they free their slots.
  const events = expireStaleEndpoints(user, now);
  const live = liveEndpoints(user, now);
  const binding = {
    sipUri,
    contact: d.contact,
    transport: d.transport,
    sourceAddress: d.sourceAddress,
    userAgent: d.userAgent ?? null,
    expiresAt: addSeconds(now, d.expiresSeconds),
    at: now,
  };
  const existing = findBinding(live, d.contact, instanceId);
  if (existing) {
    events.push({ type: 'endpoint.refreshed.v1', data: { ...binding, endpointId: existing.endpointId } });
    return events;
  }
  if (live.length >= user.profile.maxEndpoints)
    throw new DomainError(
      'endpoint_limit',
      `${sipUri} already has ${live.length} live endpoints (limit ${user.profile.maxEndpoints})`,
    );
  events.push({ type: 'endpoint.registered.v1', data: { ...binding, endpointId: context.newId(), instanceId } });
  return events;
}

/** Removing a binding that is not there is not an error: REGISTER with Expires 0 is idempotent. */
export function unregisterEndpoint(
  command: UserCommandOf<'UnregisterEndpoint'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const now = context.now();
  const sipUri = user.profile.sipUri;
  const { contact, instanceId } = command.data;
  const all = [...user.endpoints.values()];
  const gone = contact === '*' ? all : [findBinding(all, contact, instanceId ?? null)].filter((e) => e !== undefined);
  const events: UserEvent[] = [];
  for (const e of gone) {
    events.push({ type: 'endpoint.unregistered.v1', data: { sipUri, endpointId: e.endpointId, contact: e.contact, at: now } });
    const publication = user.publications.get(e.endpointId);
    if (publication)
      events.push({
        type: 'presence.withdrawn.v1',
        data: { sipUri, endpointId: e.endpointId, etag: publication.etag, reason: 'endpoint_unregistered', at: now },
      });
  }
  return events;
}
