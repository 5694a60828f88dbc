import type { z } from 'zod';
import type { EventShape } from '../../events/envelope.ts';
import type { CommandShape, Decider } from '../decider.ts';
import { CommandRejectedError } from './command-rejected-error.ts';

/**
 * What an application service wants done to one stream, decided from the state
 * the handler read: usually a fixed list (provision, then set credentials),
 * sometimes a choice (define the dial plan if absent, else update it).
 * Must be pure like `decide`: it runs again when a concurrent writer forces a re-read.
 */
export type CommandPlan<C, S> = (state: S) => readonly C[];

export interface PlanCommand<C, S> extends CommandShape {
  readonly type: 'Plan';
  readonly data: CommandPlan<C, S>;
}

/** Validates one planned command; a mismatch is the caller's input, answered 400 with issue paths. */
export function parseCommand<C>(schema: z.ZodType<C>, raw: unknown): C {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : 'command';
  throw CommandRejectedError.invalidCommand(type, parsed.error);
}

/**
 * Wraps an aggregate's decider so that several of its commands are decided on
 * one read and appended in ONE append: either all their events are written or
 * none. Each command is checked against `schema`, then decided on the state the
 * previous ones left.
 */
export function plannedDecider<C extends CommandShape, E extends EventShape, S>(
  decider: Decider<C, E, S>,
  schema: z.ZodType<C>,
): Decider<PlanCommand<C, S>, E, S> {
  return {
    category: decider.category,
    eventTypes: decider.eventTypes,
    initialState: decider.initialState,
    evolve: decider.evolve,
    decide(plan, state, context) {
      const events: E[] = [];
      let current = state;
      for (const raw of plan.data(state)) {
        const decided = decider.decide(parseCommand(schema, raw), current, context);
        current = decided.reduce(decider.evolve, current);
        events.push(...decided);
      }
      return events;
    },
  };
}
