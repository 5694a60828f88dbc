import { isDeepStrictEqual } from 'node:util';
import type { ForwardingSettings } from '../../events/domain/user-voice-events.ts';
import type { DecisionContext } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import type { UserCommandOf } from './user-commands.ts';
import type { ActiveUser, UserEvent } from './user-state.ts';

/**
 * Call forwarding, simultaneous ring, delegation and team call are Enterprise
 * Voice features. Whether the user's voice policy allows each one is checked by
 * the caller: the policy lives in another stream.
 */
function assertVoiceEnabled(user: ActiveUser): void {
  if (!user.profile.enterpriseVoiceEnabled)
    throw new DomainError('voice_not_enabled', `${user.profile.sipUri} is not enabled for Enterprise Voice`);
}

/** A user's own SIP URI or line URI as a target would ring or forward to themselves. */
function assertNotSelf(user: ActiveUser, targets: readonly (string | null)[], what: string): void {
  const own = [user.profile.sipUri, user.profile.lineUri];
  const self = targets.find((t) => t !== null && own.includes(t));
  if (self !== undefined) throw new DomainError('invalid_target', `${what} cannot be the user's own address ${self}`);
}

export function setForwarding(
  command: UserCommandOf<'SetForwarding'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  assertVoiceEnabled(user);
  const d = command.data;
  const next: ForwardingSettings = {
    immediate: d.immediate ?? null,
    noAnswer: d.noAnswer ?? null,
    busy: d.busy ?? null,
    unreachable: d.unreachable ?? null,
  };
  assertNotSelf(user, [next.immediate, next.noAnswer?.target ?? null, next.busy, next.unreachable], 'a forwarding target');
  if (isDeepStrictEqual(next, user.forwarding)) return [];
  return [{ type: 'voice.forwarding_set.v1', data: { sipUri: user.profile.sipUri, ...next, at: context.now() } }];
}

export function setSimultaneousRing(
  command: UserCommandOf<'SetSimultaneousRing'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  assertVoiceEnabled(user);
  const { targets } = command.data;
  assertNotSelf(user, targets, 'a simultaneous-ring target');
  if (isDeepStrictEqual(targets, user.simultaneousRing)) return [];
  return [{ type: 'voice.simultaneous_ring_set.v1', data: { sipUri: user.profile.sipUri, targets, at: context.now() } }];
}

export function setDelegates(
  command: UserCommandOf<'SetDelegates'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  assertVoiceEnabled(user);
  const { delegates } = command.data;
  assertNotSelf(user, delegates, 'a delegate');
  if (isDeepStrictEqual(delegates, user.delegates)) return [];
  return [{ type: 'voice.delegates_set.v1', data: { sipUri: user.profile.sipUri, delegates, at: context.now() } }];
}

export function setTeamCall(
  command: UserCommandOf<'SetTeamCall'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  assertVoiceEnabled(user);
  const members = command.data.members;
  const ringAfterSeconds = command.data.ringAfterSeconds ?? 0;
  assertNotSelf(user, members, 'a team-call member');
  if (isDeepStrictEqual({ members, ringAfterSeconds }, user.teamCall)) return [];
  return [
    { type: 'voice.team_call_set.v1', data: { sipUri: user.profile.sipUri, members, ringAfterSeconds, at: context.now() } },
  ];
}
