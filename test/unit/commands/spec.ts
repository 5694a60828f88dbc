import assert from 'node:assert/strict';
import type { EventShape } from '../../../src/events/envelope.ts';
import { domainCatalogue } from '../../../src/events/domain/domain-catalogue.ts';
import type { CommandShape, DecisionContext, Decider } from '../../../src/commands/decider.ts';

/** The default instant of a scenario; `.at()` moves it. */
export const T0 = '2024-05-01T09:00:00.000Z';

/** Ids a scenario's decision mints, in order: `id-1`, `id-2`, … */
export function sequentialIds(): () => string {
  let n = 0;
  return () => `id-${++n}`;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Both fixtures and decisions must be events the store would accept. */
function assertValidEvents(events: readonly EventShape[], what: string): void {
  for (const [i, e] of events.entries()) {
    try {
      domainCatalogue.encode(e.type, e.data);
    } catch (error) {
      assert.fail(`${what} #${i} (${e.type}) is not a valid event: ${(error as Error).message}`);
    }
  }
}

/**
 * given(history).when(command).then(expectedEvents) for one decider. `then`
 * also checks that the decision is valid against the catalogue, that evolve
 * accepts it, and that deciding twice on the same inputs gives the same
 * events (the decider is pure).
 */
export function specFor<C extends CommandShape, E extends EventShape, S>(decider: Decider<C, E, S>) {
  function given(history: readonly E[]) {
    assertValidEvents(history, 'given event');
    let now = T0;
    const state = () => history.reduce(decider.evolve, decider.initialState());
    const decide = (command: C): readonly E[] => {
      const context: DecisionContext = { now: () => now, newId: sequentialIds() };
      return decider.decide(command, state(), context);
    };
    const scenario = {
      /** The instant of the decision. */
      at(instant: string) {
        now = instant;
        return scenario;
      },
      when(command: C) {
        return {
          then(expected: readonly E[]): void {
            assertValidEvents(expected, 'expected event');
            const decided = decide(command);
            assert.deepEqual(decided, expected);
            assert.deepEqual(decide(command), decided, 'deciding twice on the same inputs must give the same events');
            decided.reduce(decider.evolve, state());
          },
          thenThrows(errorClass: ErrorClass, messageMatch: RegExp): void {
            let thrown: unknown;
            try {
              decide(command);
            } catch (error) {
              thrown = error;
            }
            assert.ok(thrown !== undefined, `expected ${errorClass.name} matching ${messageMatch}, but the command was accepted`);
            assert.ok(thrown instanceof errorClass, `expected ${errorClass.name}, got ${String(thrown)}`);
            assert.match(thrown.message, messageMatch);
          },
        };
      },
    };
    return scenario;
  }
  return { given };
}
