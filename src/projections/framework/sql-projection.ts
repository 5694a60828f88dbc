import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { InvalidProjectionDefinitionError } from './errors.ts';

/**
 * A read model kept in SQL tables, in the style of Emmett's `postgreSQLProjection`:
 * a batch of events in, rows out, inside the transaction that also advances the
 * projection's checkpoint (so the effect is exactly once).
 *
 * Rules for `handle` (they are what make a rebuild byte-equal to the live tables):
 * - derive every value from the events: no `now()`, `Date.now()`, `random()`,
 *   `gen_random_uuid()`, sequences or serial columns; use `event.metadata.occurredAt`
 *   / `recordedAt` and event ids instead;
 * - write only to the tables listed in `tables`;
 * - be total over `canHandle`: an event that cannot be applied is a bug, so throw
 *   (the runner marks the projection failed and keeps the checkpoint before the batch).
 *
 * `H` is the part of the union `handle` receives. Set it through
 * `defineSqlProjection<E, 'a.b.v1' | …>` and list the same types in `canHandle`
 * (the runner filters by `canHandle`; the type parameter cannot check that for you).
 */
export interface SqlProjection<E extends EventShape = EventShape, H extends E = E> {
  /** Unique, `snake_case`; the checkpoint row's key. */
  readonly name: string;
  /** Bump to force a rebuild (new schema, fixed logic). Positive integer. */
  readonly version: number;
  /** Every table the projection owns, created by `schema` and dropped by a rebuild. */
  readonly tables: readonly string[];
  /**
   * Creates the tables (plain `CREATE TABLE` / `CREATE INDEX`; no IF NOT EXISTS
   * needed). Runs in the rebuild transaction right after the tables are dropped,
   * so the schema always matches `version`: there are no incremental migrations
   * for a read model, it is rebuilt from the log instead.
   */
  readonly schema: string;
  /**
   * Event types this projection reads. Others are skipped in-process (the
   * checkpoint still advances past them, so `waitForPosition` works for any
   * position). Omit to receive every event.
   */
  readonly canHandle?: readonly H['type'][];
  /** Applies one batch; called only with events listed in `canHandle`, in global order, never with an empty batch. */
  handle(events: readonly RecordedEvent<H>[], tx: SqlTransaction): Promise<void>;
}

/** The members of the union `E` whose type is one of `T`. */
export type HandledEvent<E extends EventShape, T extends E['type']> = Extract<E, { readonly type: T }>;

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
// Tables share the database with the event log and the checkpoint table.
const RESERVED_TABLE = /^chorus_(events|streams|schema_migrations|projection_checkpoints)$/;

/** Checks a definition once, at registration, so a typo fails at startup rather than mid-batch. */
export function validateSqlProjection<E extends EventShape, H extends E>(projection: SqlProjection<E, H>): SqlProjection<E, H> {
  const { name, version, tables, schema } = projection;
  if (typeof name !== 'string' || !NAME.test(name))
    throw new InvalidProjectionDefinitionError(String(name), 'name must be snake_case, 1-63 characters');
  if (!Number.isSafeInteger(version) || version < 1)
    throw new InvalidProjectionDefinitionError(name, `version must be a positive integer, got ${String(version)}`);
  if (tables.length === 0) throw new InvalidProjectionDefinitionError(name, 'needs at least one table');
  for (const table of tables) {
    if (!NAME.test(table)) throw new InvalidProjectionDefinitionError(name, `table ${JSON.stringify(table)} is not a snake_case identifier`);
    if (RESERVED_TABLE.test(table)) throw new InvalidProjectionDefinitionError(name, `table ${table} belongs to Chorus itself`);
  }
  if (new Set(tables).size !== tables.length) throw new InvalidProjectionDefinitionError(name, 'tables are listed twice');
  if (schema.trim() === '') throw new InvalidProjectionDefinitionError(name, 'schema is empty');
  if (projection.canHandle?.length === 0)
    throw new InvalidProjectionDefinitionError(name, 'canHandle is empty: the projection would never see an event');
  return projection;
}

/**
 * Validates and returns the definition. Give the handled types as the second
 * type argument to get `handle`'s events narrowed to them (so a `switch` over
 * `event.type` is exhaustive without a default):
 * `defineSqlProjection<DomainEvent, 'user.created.v1' | 'user.renamed.v1'>({ ... })`.
 */
export function defineSqlProjection<E extends EventShape, T extends E['type'] = E['type']>(
  projection: SqlProjection<E, HandledEvent<E, T>>,
): SqlProjection<E, HandledEvent<E, T>> {
  return validateSqlProjection(projection);
}
