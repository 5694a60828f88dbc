import type { Decider } from '../../commands/decider.ts';
import { userDecider } from '../../commands/user/user-decider.ts';
import type { UserEvent, UserState } from '../../commands/user/user-state.ts';
import type { BindingCommand } from './binding-ledger.ts';

/** Several binding commands decided as one (one REGISTER with several contacts). */
export type RegistrationBatch = { readonly type: 'RegistrationBatch'; readonly data: readonly BindingCommand[] };

/**
 * The user decider applied to each command in turn, each seeing the state the
 * previous ones left, so one REGISTER is one decision and one append: all its
 * binding changes commit, or none (e.g. when the second contact breaks the
 * endpoint limit). The rules are the user decider's own; nothing is re-decided here.
 */
export const registrationBatchDecider: Decider<RegistrationBatch, UserEvent, UserState> = {
  category: userDecider.category,
  eventTypes: userDecider.eventTypes,
  initialState: userDecider.initialState,
  evolve: userDecider.evolve,
  decide: (batch, state, context) => {
    const out: UserEvent[] = [];
    let current = state;
    for (const command of batch.data) {
      const events = userDecider.decide(command, current, context);
      out.push(...events);
      current = events.reduce(userDecider.evolve, current);
    }
    return out;
  },
};
