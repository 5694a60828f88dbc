import type { SqlTransaction } from '../../storage/sql-client.ts';

/**
 * Set-based writes for projections that fold a whole batch in memory and then
 * write what changed with one statement per table, instead of one statement
 * per event. The rows travel as ONE json parameter and are unpacked by
 * `json_to_recordset`, which both PGlite and PostgreSQL run the same way: a
 * JSON null is SQL NULL, a JSON array fills an array column, a JSON value goes
 * into a jsonb column as it is, and a string goes through the column type's
 * input function (so an ISO instant lands in a timestamptz exactly as a text
 * parameter would).
 *
 * Every statement is generated once from a `BulkTable` and kept as a constant
 * next to the projection's other SQL.
 */
export interface BulkTable {
  readonly name: string;
  /** Every column the statements write, with its SQL type, in table order. */
  readonly columns: Readonly<Record<string, string>>;
  /** The primary key's columns (the ON CONFLICT target and the delete key). */
  readonly key: readonly string[];
}

/** One row for `json_to_recordset`: values by column name (instants as ISO strings). */
export type BulkRow = Readonly<Record<string, unknown>>;

function recordset(columns: Readonly<Record<string, string>>, names: readonly string[]): string {
  return `json_to_recordset($1::json) AS r (${names.map((n) => `${n} ${columns[n]!}`).join(', ')})`;
}

function columnsOf(table: BulkTable, names: readonly string[] | undefined): string[] {
  const all = Object.keys(table.columns);
  for (const n of [...table.key, ...(names ?? [])])
    if (!all.includes(n)) throw new Error(`bulk-rows: ${table.name} has no column ${n}`);
  return [...(names ?? all)];
}

/**
 * `INSERT … ON CONFLICT (key) DO UPDATE` setting every non-key column (or only
 * `update` when given). A batch must hold at most one row per key: PostgreSQL
 * refuses to touch a row twice in one statement.
 */
export function bulkUpsertSql(table: BulkTable, update?: readonly string[]): string {
  const names = columnsOf(table, undefined);
  const set = (update ?? names.filter((n) => !table.key.includes(n))).map((n) => `${n} = EXCLUDED.${n}`);
  const conflict = set.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${set.join(', ')}`;
  return `INSERT INTO ${table.name} (${names.join(', ')}) SELECT ${names.map((n) => `r.${n}`).join(', ')} FROM ${recordset(table.columns, names)} ON CONFLICT (${table.key.join(', ')}) ${conflict}`;
}

/** Plain `INSERT` of whole rows (a duplicate key is an error, as it would be row by row). */
export function bulkInsertSql(table: BulkTable): string {
  const names = columnsOf(table, undefined);
  return `INSERT INTO ${table.name} (${names.join(', ')}) SELECT ${names.map((n) => `r.${n}`).join(', ')} FROM ${recordset(table.columns, names)}`;
}

/** `DELETE` of the rows whose key matches one of the given key rows. */
export function bulkDeleteSql(table: BulkTable): string {
  const match = table.key.map((k) => `${table.name}.${k} = r.${k}`).join(' AND ');
  return `DELETE FROM ${table.name} USING ${recordset(table.columns, table.key)} WHERE ${match}`;
}

/** Runs a statement made by the functions above over `rows`; nothing when there are none. */
export async function writeBulk(tx: Pick<SqlTransaction, 'query'>, sql: string, rows: readonly BulkRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(sql, [JSON.stringify(rows)]);
}
