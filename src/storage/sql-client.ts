/**
 * The few things Chorus asks of a SQL database, so the event log and the read
 * models run the same SQL on embedded PGlite and on PostgreSQL.
 *
 * Both implementations return int8 as `bigint`, timestamptz as `Date`, and
 * json/jsonb parsed.
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
