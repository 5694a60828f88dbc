import { isDeepStrictEqual } from 'node:util';
import type { DecisionContext } from '../decider.ts';
import { isLive } from './expiry-rules.ts';
import type { UserCommandOf } from './user-commands.ts';
import type { ActiveUser, UserEvent } from './user-state.ts';

/**
 * The host part of `sip:user@host`, or undefined for anything else. Watcher
 * AORs reach here already canonical (lower-case host, no parameters).
 */
function domainOf(watcherUri: string): string | undefined {
  const at = watcherUri.lastIndexOf('@');
  return watcherUri.startsWith('sip:') && at > 0 ? watcherUri.slice(at + 1) : undefined;
}

/**
 * Whether a block list refuses `watcherUri`: it names the AOR itself, or the
 * watcher's whole domain. Shared by the decider (SubscribeWatcher) and the
 * presence server's watcher policy, so both read the list the same way.
 */
export function isBlockedBy(blocked: readonly string[], watcherUri: string): boolean {
  if (blocked.length === 0) return false;
  const domain = domainOf(watcherUri);
  return blocked.some((entry) => entry === watcherUri || (domain !== undefined && entry === domain));
}

/**
 * The new list as one event, and the end of every live subscription it now
 * refuses (reason `rejected`), so the log never holds a watcher the user has
 * blocked. Unchanged list: nothing.
 */
function blocksSet(user: ActiveUser, blocked: readonly string[], context: DecisionContext): UserEvent[] {
  if (isDeepStrictEqual(blocked, user.presenceBlocks)) return [];
  const now = context.now();
  const sipUri = user.profile.sipUri;
  const events: UserEvent[] = [{ type: 'presence.blocks_set.v1', data: { sipUri, blocked: [...blocked], at: now } }];
  const watchers = [...user.watchers.values()].sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : a.subscriptionId > b.subscriptionId ? 1 : 0));
  for (const w of watchers) {
    if (!isLive(w.expiresAt, now) || !isBlockedBy(blocked, w.watcherUri)) continue;
    events.push({
      type: 'presence.watcher_unsubscribed.v1',
      data: { sipUri, watcherUri: w.watcherUri, subscriptionId: w.subscriptionId, reason: 'rejected', at: now },
    });
  }
  return events;
}

export function setPresenceBlocks(command: UserCommandOf<'SetPresenceBlocks'>, user: ActiveUser, context: DecisionContext): UserEvent[] {
  return blocksSet(user, command.data.blocked, context);
}

/** Adds one entry at the end; already there: nothing. */
export function blockWatcher(command: UserCommandOf<'BlockWatcher'>, user: ActiveUser, context: DecisionContext): UserEvent[] {
  const entry = command.data.watcher;
  if (user.presenceBlocks.includes(entry)) return [];
  return blocksSet(user, [...user.presenceBlocks, entry], context);
}

/** Removes one entry; not there: nothing. */
export function unblockWatcher(command: UserCommandOf<'UnblockWatcher'>, user: ActiveUser, context: DecisionContext): UserEvent[] {
  const entry = command.data.watcher;
  if (!user.presenceBlocks.includes(entry)) return [];
  return blocksSet(user, user.presenceBlocks.filter((e) => e !== entry), context);
}
