import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlTransaction } from './sql-client.ts';

export interface PgliteClientOptions {
  /** A directory for a file-backed database, or `memory://` (the default) for a throw-away one. */
  readonly dataDir?: string;
}

/** PGlite (Postgres compiled to WASM, in this process): one connection, statements run one at a time. */
export class PgliteClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  readonly #db: PGlite;
  #closed = false;

  private constructor(db: PGlite) {
    this.#db = db;
  }

  static async open(options: PgliteClientOptions = {}): Promise<PgliteClient> {
    const dataDir = options.dataDir ?? 'memory://';
    const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
    return new PgliteClient(db);
  }

  /** The underlying PGlite, for LISTEN/NOTIFY and tools that need it. */
  get raw(): PGlite {
    return this.#db;
  }

  async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    const r = await this.#db.query<R>(text, params as unknown[]);
    return { rows: r.rows };
  }

  async exec(text: string): Promise<void> {
    await this.#db.exec(text);
  }

  async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#db.transaction(async (tx) =>
      fn({
        dialect: 'pglite',
        query: async <R extends object>(text: string, params: readonly unknown[] = []) => ({
          rows: (await tx.query<R>(text, params as unknown[])).rows,
        }),
        exec: async (text: string) => {
          await tx.exec(text);
        },
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }
}
