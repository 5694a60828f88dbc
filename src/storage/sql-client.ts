/**
 * The few things Chorus asks of a SQL database, so the event log and the read
 * models run the same SQL on embedded PGlite and on PostgreSQL.
 *
 * int8 comes back as `bigint` from PostgreSQL but as a JS `number` from PGlite
 * while the value fits 2^53 (a `bigint` above that): callers coerce with
 * `BigInt(...)` or select positions `::text`. timestamptz is a `Date` and
 * json/jsonb arrive parsed on both.
 */
export interface SqlClient {
  readonly dialect: 'pglite' | 'postgres';
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}

export type SqlTransaction = Pick<SqlClient, 'query' | 'exec' | 'dialect'>;
