import type { EventShape } from '../events/envelope.ts';

/** A command: a discriminating `type` (PascalCase verb, e.g. `RegisterEndpoint`) and its `data`. */
export interface CommandShape {
  readonly type: string;
  readonly data: unknown;
}

/**
 * What a decision may need from the world, injected so deciders stay pure.
 * The command handler pins `now` for one decision: every call returns the same
 * instant, which is also the events' `occurredAt`.
 */
export interface DecisionContext {
  /** The instant of the decision, ISO-8601 UTC. */
  readonly now: () => string;
  /** A fresh id for things the decision creates (endpoint ids, etags, message ids). */
  readonly newId: () => string;
}

/**
 * One aggregate's rules (Emmett's Decider pattern): state is the left fold of
 * its events with `evolve`, starting from `initialState()`; `decide` turns a
 * command and that state into new events or throws a DomainError. All three
 * are pure.
 */
export interface Decider<Command extends CommandShape, Event extends EventShape, State> {
  /** The stream category this aggregate lives in (`user`, `call`, …). */
  readonly category: string;
  /** Every event type the aggregate's streams hold; anything else in its stream is corruption. */
  readonly eventTypes: ReadonlySet<string>;
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State, context: DecisionContext) => readonly Event[];
}

/** Narrows an event read from the log to the decider's own union, by its declared types. */
export function isEventOf<E extends EventShape>(
  decider: { readonly eventTypes: ReadonlySet<string> },
  event: EventShape,
): event is E {
  return decider.eventTypes.has(event.type);
}

/** For exhaustive switches: a new union member that is not handled fails to compile. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
