import type { JsonValue } from './audit-entry.ts';

/**
 * The value with every object's keys in code-point order, at every depth.
 * PostgreSQL's jsonb hands keys back shortest first, PGlite and a fold from
 * the log in insertion order: sorted, the same summary prints the same
 * whichever of them produced it.
 */
export function sortedKeys<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v: JsonValue) => sortedKeys(v)) as unknown as T;
  if (value === null || typeof value !== 'object') return value;
  const record = value as { readonly [key: string]: JsonValue };
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(record).sort()) out[key] = sortedKeys(record[key]!);
  return out as T;
}
