import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import { InvalidProjectionDefinitionError } from './errors.ts';
import type { HandledEvent } from './sql-projection.ts';

/**
 * State kept in memory for the hot path (the SIP plane reads it, never SQL).
 *
 * `apply` is a MUTATING reducer: it changes `state` in place and returns the
 * keys it touched (a registrar's Map of every contact is not copied per event).
 * Like a SQL projection it must be deterministic: derive everything from the
 * event (use `metadata.occurredAt`, never the clock or random), so two nodes
 * that applied the same log hold the same state.
 *
 * Type parameters: E the event union, S the state, K the change key (e.g. a
 * user's SIP URI), H the handled members of E (narrows `apply`'s event;
 * `defineInMemoryView` derives it from a list of type names).
 */
export interface InMemoryViewDefinition<E extends EventShape, S, K = string, H extends E = E> {
  /** Unique among views, `snake_case`; used in logs and status. */
  readonly name: string;
  /** Event types the view reads; others only advance its position. Omit to receive every event. */
  readonly canHandle?: readonly H['type'][];
  /** An empty state (a replay from 0 starts here). */
  initialState(): S;
  /** Mutates `state` for one event; returns the changed keys (or nothing when no reader cares). */
  apply(state: S, event: RecordedEvent<H>): readonly K[] | void;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function validateInMemoryView<E extends EventShape, S, K, H extends E>(
  definition: InMemoryViewDefinition<E, S, K, H>,
): InMemoryViewDefinition<E, S, K, H> {
  if (typeof definition.name !== 'string' || !NAME.test(definition.name))
    throw new InvalidProjectionDefinitionError(String(definition.name), 'view name must be snake_case, 1-63 characters');
  if (definition.canHandle?.length === 0)
    throw new InvalidProjectionDefinitionError(definition.name, 'canHandle is empty: the view would never see an event');
  return definition;
}

/** Validates and returns the definition; see `defineSqlProjection` for the type arguments. */
export function defineInMemoryView<E extends EventShape, S, K = string, T extends E['type'] = E['type']>(
  definition: InMemoryViewDefinition<E, S, K, HandledEvent<E, T>>,
): InMemoryViewDefinition<E, S, K, HandledEvent<E, T>> {
  return validateInMemoryView(definition);
}
