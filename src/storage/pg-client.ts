import pg from 'pg';
import type { SqlClient, SqlTransaction } from './sql-client.ts';

const INT8_OID = 20;

export interface PgClientOptions {
  readonly connectionString: string;
  /** Pool size. Default 20. */
  readonly max?: number;
  /** application_name shown in pg_stat_activity. Default `chorus`. */
  readonly applicationName?: string;
}

/** PostgreSQL through a `pg` pool; int8 parsed to bigint like PGlite does. */
export class PgClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(options: PgClientOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 20,
      application_name: options.applicationName ?? 'chorus',
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (v: string) => BigInt(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.#pool.on('error', () => {});
  }

  /** The pool, for LISTEN connections and tools that need it. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    const r = await this.#pool.query<R>(text, params as unknown[]);
    return { rows: r.rows };
  }

  async exec(text: string): Promise<void> {
    await this.#pool.query(text);
  }

  async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn({
        dialect: 'postgres',
        query: async <R extends object>(text: string, params: readonly unknown[] = []) => ({
          rows: (await client.query<R>(text, params as unknown[])).rows,
        }),
        exec: async (text: string) => {
          await client.query(text);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
