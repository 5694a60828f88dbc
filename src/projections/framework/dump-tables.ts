import { z } from 'zod';
import type { SqlClient } from '../../storage/sql-client.ts';

const SELECT_COLUMNS = /* sql */ `
SELECT column_name, data_type
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1
ORDER BY ordinal_position`;

const ColumnRow = z.object({ column_name: z.string(), data_type: z.string() });

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A value as canonical JSON text: object keys sorted, Date as an ISO-8601
 * string, bytes as a `\x<hex>` string, and integers as bare digits whether
 * the driver gave a number or a bigint (PGlite returns small int8 values as
 * numbers, pg as bigints), so equal rows read by either client print the same.
 */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value instanceof Uint8Array) return JSON.stringify(`\\x${Buffer.from(value).toString('hex')}`);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The content of `tables` as one string, for byte-equal comparisons (a rebuild
 * against the live tables, PGlite against PostgreSQL). Tables come in name
 * order, each headed by its columns and types; rows are canonical JSON sorted
 * by their text, so the dump depends on neither physical order, collation nor
 * primary keys (sorting in SQL by all columns would fail on `json` columns).
 */
export async function dumpTables(client: Pick<SqlClient, 'query'>, tables: readonly string[]): Promise<string> {
  const out: string[] = [];
  for (const table of [...new Set(tables)].sort()) {
    if (!IDENTIFIER.test(table)) throw new Error(`cannot dump ${JSON.stringify(table)}: not a plain table name`);
    const columns = (await client.query(SELECT_COLUMNS, [table])).rows.map((r) => ColumnRow.parse(r));
    if (columns.length === 0) throw new Error(`cannot dump ${table}: no such table`);
    out.push(`-- ${table} (${columns.map((c) => `${c.column_name} ${c.data_type}`).join(', ')})`);
    const names = columns.map((c) => c.column_name);
    const { rows } = await client.query(`SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM "${table}"`);
    const lines = rows.map((row) => {
      const record = row as Record<string, unknown>;
      // Column order, not key order: the header already names the columns.
      return `[${names.map((n) => canonical(record[n])).join(',')}]`;
    });
    lines.sort();
    out.push(...lines);
  }
  return out.join('\n') + '\n';
}
