import type { PrivacyEvent } from '../../events/domain/privacy-events.ts';
import { privacyEvents } from '../../events/domain/privacy-events.ts';
import { assertNever, type Decider } from '../decider.ts';
import type { PrivacyCommand } from './privacy-commands.ts';
import { PrivacyRefusal } from './privacy-refusal.ts';

export interface PrivacyState {
  /** The hold in force, or null. */
  readonly hold: { readonly reason: string; readonly since: string } | null;
  /** When the user was last forgotten, or null. */
  readonly forgottenAt: string | null;
}

function evolve(state: PrivacyState, event: PrivacyEvent): PrivacyState {
  switch (event.type) {
    case 'privacy.legal_hold_placed.v1':
      return { ...state, hold: { reason: event.data.reason, since: event.data.at } };
    case 'privacy.legal_hold_released.v1':
      return { ...state, hold: null };
    case 'privacy.user_forgotten.v1':
      return { ...state, forgottenAt: event.data.at };
    default:
      return assertNever(event, 'privacy event');
  }
}

/**
 * Legal hold and erasure of one user (stream `privacy-<aor>`). The stream's
 * expected version makes "not on hold" and "forgotten" one decision: a hold
 * placed concurrently makes the forget's append fail and be decided again.
 * Erasure is decided here and carried out by destroying the keys after the
 * event is written (src/privacy/privacy-service.ts).
 */
export const privacyDecider: Decider<PrivacyCommand, PrivacyEvent, PrivacyState> = {
  category: 'privacy',
  eventTypes: new Set(Object.keys(privacyEvents)),
  initialState: () => ({ hold: null, forgottenAt: null }),
  evolve,
  decide: (command, state, context) => decideFor(command, state, context.now()),
};

function decideFor(command: PrivacyCommand, state: PrivacyState, at: string): readonly PrivacyEvent[] {
  const { sipUri } = command.data;
  switch (command.type) {
    case 'PlaceLegalHold':
      // Already held: the hold in force stands (its reason is the one on record).
      if (state.hold !== null) return [];
      return [{ type: 'privacy.legal_hold_placed.v1', data: { sipUri, reason: command.data.reason, at } }];
    case 'ReleaseLegalHold':
      if (state.hold === null) throw new PrivacyRefusal('not_on_hold', `${sipUri} is not under legal hold`);
      return [{ type: 'privacy.legal_hold_released.v1', data: { sipUri, reason: command.data.reason, at } }];
    case 'ForgetUser':
      if (state.hold !== null)
        throw new PrivacyRefusal('legal_hold', `${sipUri} is under legal hold since ${state.hold.since} (${state.hold.reason}); release it first`);
      // Forgotten before and no key made since: nothing left to destroy, nothing to record.
      if (state.forgottenAt !== null && command.data.keyIds.length === 0) return [];
      return [{ type: 'privacy.user_forgotten.v1', data: { sipUri, keyIds: command.data.keyIds, at } }];
    default:
      return assertNever(command, 'privacy command');
  }
}
