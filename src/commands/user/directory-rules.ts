import { DEFAULT_MAX_ENDPOINTS, type UserProfile } from '../../events/domain/directory-events.ts';
import type { DecisionContext } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import type { UserCommandOf } from './user-commands.ts';
import type { ActiveUser, UserEvent, UserState } from './user-state.ts';

/** OCS will not enable Enterprise Voice for a user without a line URI: calls to them could not be routed. */
function assertVoiceNeedsLine(profile: UserProfile): void {
  if (profile.enterpriseVoiceEnabled && profile.lineUri === null)
    throw new DomainError('line_uri_required', `${profile.sipUri}: Enterprise Voice needs a line URI`);
}

export function provisionUser(
  command: UserCommandOf<'ProvisionUser'>,
  state: UserState,
  context: DecisionContext,
): UserEvent[] {
  if (state.status === 'active')
    throw new DomainError('already_provisioned', `${state.profile.sipUri} is already provisioned`);
  if (state.status === 'deprovisioned')
    throw new DomainError('deprovisioned', `${state.sipUri} was deprovisioned; its address cannot be reused`);
  const d = command.data;
  const profile: UserProfile = {
    sipUri: d.sipUri,
    displayName: d.displayName,
    lineUri: d.lineUri ?? null,
    enterpriseVoiceEnabled: d.enterpriseVoiceEnabled ?? false,
    dialPlan: d.dialPlan ?? null,
    voicePolicy: d.voicePolicy ?? null,
    maxEndpoints: d.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS,
  };
  assertVoiceNeedsLine(profile);
  return [{ type: 'directory.user_provisioned.v1', data: { ...profile, at: context.now() } }];
}

export function updateUser(command: UserCommandOf<'UpdateUser'>, user: ActiveUser, context: DecisionContext): UserEvent[] {
  const d = command.data;
  const before = user.profile;
  const after: UserProfile = {
    sipUri: before.sipUri,
    displayName: d.displayName ?? before.displayName,
    lineUri: d.lineUri === undefined ? before.lineUri : d.lineUri,
    enterpriseVoiceEnabled: d.enterpriseVoiceEnabled ?? before.enterpriseVoiceEnabled,
    dialPlan: d.dialPlan === undefined ? before.dialPlan : d.dialPlan,
    voicePolicy: d.voicePolicy === undefined ? before.voicePolicy : d.voicePolicy,
    // Lowering the limit keeps existing bindings; it only refuses new ones.
    maxEndpoints: d.maxEndpoints ?? before.maxEndpoints,
  };
  assertVoiceNeedsLine(after);
  const changed = (Object.keys(after) as (keyof UserProfile)[]).some((k) => after[k] !== before[k]);
  return changed ? [{ type: 'directory.user_updated.v1', data: { ...after, at: context.now() } }] : [];
}

export function deprovisionUser(
  command: UserCommandOf<'DeprovisionUser'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  return [
    {
      type: 'directory.user_deprovisioned.v1',
      data: { sipUri: user.profile.sipUri, reason: command.data.reason ?? null, at: context.now() },
    },
  ];
}

export function setCredentials(
  command: UserCommandOf<'SetCredentials'>,
  user: ActiveUser,
  context: DecisionContext,
): UserEvent[] {
  const { realm, ha1Md5, ha1Sha256 } = command.data;
  const c = user.credentials;
  if (c && c.realm === realm && c.ha1Md5 === ha1Md5 && c.ha1Sha256 === ha1Sha256) return [];
  return [
    {
      type: 'directory.credentials_set.v1',
      data: { sipUri: user.profile.sipUri, realm, ha1Md5, ha1Sha256, at: context.now() },
    },
  ];
}
