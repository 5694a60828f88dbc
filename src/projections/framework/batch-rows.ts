import type { SqlTransaction } from '../../storage/sql-client.ts';
import { writeBulk, type BulkRow } from './bulk-rows.ts';

type Row = Record<string, unknown>;

/**
 * One table's rows for a batch, for projections that fold a batch in memory:
 * read once (only the keys the batch touches), changed in place, and the
 * changed ones written back with one bulk statement. A follow-up event that
 * finds no row, or a second "first" event, means a corrupt log, so both throw
 * (the runner then marks the projection failed and keeps its checkpoint).
 */
export class BatchRows {
  readonly #rows = new Map<string, Row>();
  readonly #changed = new Set<string>();
  readonly #what: string;
  readonly #keyOf: (row: Row) => string;

  /**
   * @param what names the record kind in errors, e.g. `cdr: call`.
   * @param keyOf the key of a row read back (default: the first column named by `load`'s `key`).
   */
  constructor(what: string, keyOf?: (row: Row) => string) {
    this.#what = what;
    this.#keyOf = keyOf ?? ((row) => String(Object.values(row)[0]));
  }

  /** Reads the rows of `keys` with `select` (one `$1` array parameter). */
  async load(tx: Pick<SqlTransaction, 'query'>, select: string, keys: ReadonlySet<string> | readonly string[]): Promise<void> {
    const list = [...keys];
    if (list.length === 0) return;
    for (const row of (await tx.query<Row>(select, [list])).rows) this.#rows.set(this.#keyOf(row), row);
  }

  get(key: string): Row | undefined {
    return this.#rows.get(key);
  }

  /** Every row loaded or created so far, in load/insert order. */
  values(): IterableIterator<Row> {
    return this.#rows.values();
  }

  insert(key: string, row: Row): void {
    // As a plain INSERT would: a second start of one record means a corrupt log.
    if (this.#rows.has(key)) throw new Error(`${this.#what} ${key} is recorded twice`);
    this.#rows.set(key, row);
    this.#changed.add(key);
  }

  /** The row of `key`, created by `create` when the table has none yet. */
  upsert(key: string, create: () => Row, change: (row: Row) => void): void {
    let row = this.#rows.get(key);
    if (!row) {
      row = create();
      this.#rows.set(key, row);
    }
    change(row);
    this.#changed.add(key);
  }

  /** Each follow-up event must find the row its first event created (and, with `open`, not yet ended). */
  update(key: string, type: string, change: (row: Row) => void, open = false): void {
    const row = this.#rows.get(key);
    if (!row || (open && row['ended_at'] !== null)) throw new Error(`${this.#what}: ${type} for ${key} matches no open record`);
    change(row);
    this.#changed.add(key);
  }

  /** Writes the changed rows with `statement` (a bulk upsert of whole rows). */
  async write(tx: Pick<SqlTransaction, 'query'>, statement: string): Promise<void> {
    await writeBulk(tx, statement, [...this.#changed].map((key) => this.#rows.get(key)! as BulkRow));
  }
}
