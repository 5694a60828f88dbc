import {
  AVAILABILITY_CODES,
  availabilityOfCode,
  type Availability,
} from '../../events/domain/availability.ts';
import type { DecisionContext } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import { addSeconds, isBefore, toUtc } from '../time.ts';
import { isLive } from './expiry-rules.ts';
import { isBlockedBy } from './presence-block-rules.ts';
import type { UserCommandOf } from './user-commands.ts';
import type { ActiveUser, Publication, UserEvent } from './user-state.ts';

/** Both spellings of a state: a name gets its band's canonical code, a code keeps its exact value. */
export function resolveAvailability(input: Availability | number): { availability: Availability; code: number } {
  return typeof input === 'number'
    ? { availability: availabilityOfCode(input), code: input }
    : { availability: input, code: AVAILABILITY_CODES[input] };
}

function livePublication(user: ActiveUser, endpointId: string, now: string): Publication | undefined {
  const p = user.publications.get(endpointId);
  return p && isLive(p.expiresAt, now) ? p : undefined;
}

export function publishPresence(
  command: UserCommandOf<'PublishPresence'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const now = context.now();
  const sipUri = user.profile.sipUri;
  const d = command.data;
  if (!d.state && d.ifMatch === undefined)
    throw new DomainError('invalid_publication', 'a PUBLISH without a body must name the publication it refreshes (SIP-If-Match)');
  const endpoint = user.endpoints.get(d.endpointId);
  if (!endpoint || !isLive(endpoint.expiresAt, now))
    throw new DomainError('endpoint_not_registered', `${sipUri} has no live endpoint ${d.endpointId}`);
  const current = livePublication(user, d.endpointId, now);
  if (d.ifMatch !== undefined && current?.etag !== d.ifMatch)
    throw new DomainError('etag_mismatch', `no live publication of ${d.endpointId} has entity tag ${d.ifMatch}`);
  // Only reachable with a matching ifMatch when `state` is absent, so `current` is then defined.
  const state = d.state
    ? {
        ...resolveAvailability(d.state.availability),
        activity: d.state.activity ?? null,
        note: d.state.note ?? null,
      }
    : { availability: current!.availability, code: current!.code, activity: current!.activity, note: current!.note };
  return [
    {
      type: 'presence.published.v1',
      data: {
        sipUri,
        endpointId: d.endpointId,
        ...state,
        // RFC 3903 §4.1: every successful PUBLISH, refresh included, gets a new entity tag.
        etag: context.newId(),
        expiresAt: addSeconds(now, d.expiresSeconds),
        at: now,
      },
    },
  ];
}

export function withdrawPresence(
  command: UserCommandOf<'WithdrawPresence'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const now = context.now();
  const { endpointId, ifMatch } = command.data;
  const current = livePublication(user, endpointId, now);
  if (ifMatch !== undefined && current?.etag !== ifMatch)
    throw new DomainError('etag_mismatch', `no live publication of ${endpointId} has entity tag ${ifMatch}`);
  if (!current) return [];
  return [
    {
      type: 'presence.withdrawn.v1',
      data: { sipUri: user.profile.sipUri, endpointId, etag: current.etag, reason: 'unpublished', at: now },
    },
  ];
}

export function setUserState(
  command: UserCommandOf<'SetUserState'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const now = context.now();
  const d = command.data;
  if (d.until !== undefined && !isBefore(now, d.until))
    throw new DomainError('invalid_until', `until ${d.until} is not after now (${now})`);
  return [
    {
      type: 'presence.user_state_set.v1',
      data: {
        sipUri: user.profile.sipUri,
        ...resolveAvailability(d.availability),
        note: d.note ?? null,
        until: d.until === undefined ? null : toUtc(d.until),
        at: now,
      },
    },
  ];
}

export function clearUserState(
  _command: UserCommandOf<'ClearUserState'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  if (!user.chosenState) return [];
  return [{ type: 'presence.user_state_cleared.v1', data: { sipUri: user.profile.sipUri, reason: 'cleared', at: context.now() } }];
}

export function subscribeWatcher(
  command: UserCommandOf<'SubscribeWatcher'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const now = context.now();
  const d = command.data;
  // The log has the last word: a view-based policy may not have seen the block yet.
  if (isBlockedBy(user.presenceBlocks, d.watcherUri))
    throw new DomainError('watcher_blocked', `${user.profile.sipUri} has blocked ${d.watcherUri}`);
  return [
    {
      type: 'presence.watcher_subscribed.v1',
      data: {
        sipUri: user.profile.sipUri,
        watcherUri: d.watcherUri,
        subscriptionId: d.subscriptionId,
        expiresAt: addSeconds(now, d.expiresSeconds),
        at: now,
      },
    },
  ];
}

/** Unknown subscriptions are ignored: an unSUBSCRIBE may cross the expiry sweep. */
export function unsubscribeWatcher(
  command: UserCommandOf<'UnsubscribeWatcher'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const watcher = user.watchers.get(command.data.subscriptionId);
  if (!watcher) return [];
  return [
    {
      type: 'presence.watcher_unsubscribed.v1',
      data: {
        sipUri: user.profile.sipUri,
        watcherUri: watcher.watcherUri,
        subscriptionId: watcher.subscriptionId,
        reason: 'unsubscribed',
        at: context.now(),
      },
    },
  ];
}
