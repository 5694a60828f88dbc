import { assertNever, type DecisionContext, type Decider } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import { deprovisionUser, provisionUser, setCredentials, updateUser } from './directory-rules.ts';
import { registerEndpoint, unregisterEndpoint } from './endpoint-rules.ts';
import { sweepExpired } from './expiry-rules.ts';
import {
  clearUserState,
  publishPresence,
  setUserState,
  subscribeWatcher,
  unsubscribeWatcher,
  withdrawPresence,
} from './presence-rules.ts';
import { blockWatcher, setPresenceBlocks, unblockWatcher } from './presence-block-rules.ts';
import type { UserCommand } from './user-commands.ts';
import { evolveUser, initialUserState, USER_EVENT_TYPES, type ActiveUser, type UserEvent, type UserState } from './user-state.ts';
import { setDelegates, setForwarding, setSimultaneousRing, setTeamCall } from './voice-feature-rules.ts';

function decideForActiveUser(command: UserCommand, user: ActiveUser, context: DecisionContext): readonly UserEvent[] {
  switch (command.type) {
    case 'ProvisionUser':
      return provisionUser(command, user, context);
    case 'UpdateUser':
      return updateUser(command, user, context);
    case 'DeprovisionUser':
      return deprovisionUser(command, user, context);
    case 'SetCredentials':
      return setCredentials(command, user, context);
    case 'RegisterEndpoint':
      return registerEndpoint(command, user, context);
    case 'UnregisterEndpoint':
      return unregisterEndpoint(command, user, context);
    case 'PublishPresence':
      return publishPresence(command, user, context);
    case 'WithdrawPresence':
      return withdrawPresence(command, user, context);
    case 'SetUserState':
      return setUserState(command, user, context);
    case 'ClearUserState':
      return clearUserState(command, user, context);
    case 'SubscribeWatcher':
      return subscribeWatcher(command, user, context);
    case 'UnsubscribeWatcher':
      return unsubscribeWatcher(command, user, context);
    case 'SetPresenceBlocks':
      return setPresenceBlocks(command, user, context);
    case 'BlockWatcher':
      return blockWatcher(command, user, context);
    case 'UnblockWatcher':
      return unblockWatcher(command, user, context);
    case 'SweepExpired':
      return sweepExpired(user, context.now());
    case 'SetForwarding':
      return setForwarding(command, user, context);
    case 'SetSimultaneousRing':
      return setSimultaneousRing(command, user, context);
    case 'SetDelegates':
      return setDelegates(command, user, context);
    case 'SetTeamCall':
      return setTeamCall(command, user, context);
    default:
      return assertNever(command, 'user command');
  }
}

export function decideUser(command: UserCommand, state: UserState, context: DecisionContext): readonly UserEvent[] {
  switch (state.status) {
    case 'absent':
      if (command.type === 'ProvisionUser') return provisionUser(command, state, context);
      throw new DomainError('not_provisioned', `${command.type}: the user is not provisioned`);
    case 'deprovisioned':
      // A deprovisioned address is retired for good: no registration, presence or re-provisioning.
      throw new DomainError('deprovisioned', `${command.type}: ${state.sipUri} is deprovisioned`);
    case 'active':
      return decideForActiveUser(command, state, context);
    default:
      return assertNever(state, 'user state');
  }
}

/** The user aggregate: directory entry, endpoints, presence and voice features of one AOR (`user-<aor>`). */
export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  category: 'user',
  eventTypes: USER_EVENT_TYPES,
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
