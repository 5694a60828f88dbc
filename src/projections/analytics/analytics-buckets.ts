/**
 * Calendar buckets of the analytics read models, all in UTC so a rebuild on
 * any machine gives the same rows: an hour is the ISO instant of its start
 * (`2024-05-01T09:00:00.000Z`), a day its date (`2024-05-01`).
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export function hourOf(instant: string): string {
  const ms = Date.parse(instant);
  return new Date(ms - (ms % HOUR_MS)).toISOString();
}

export function dayOf(instant: string): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** Whole milliseconds from `from` to `to` (≥ 0 for ordered instants). */
export function millisBetween(from: string, to: string): number {
  return Date.parse(to) - Date.parse(from);
}

/**
 * Splits [from, to) at UTC midnights: the milliseconds spent on each day.
 * Empty when `to` is not after `from`.
 */
export function splitByDay(from: string, to: string): { readonly day: string; readonly millis: number }[] {
  const parts: { day: string; millis: number }[] = [];
  let start = Date.parse(from);
  const end = Date.parse(to);
  while (start < end) {
    const midnight = start - (start % DAY_MS) + DAY_MS;
    const stop = Math.min(midnight, end);
    parts.push({ day: new Date(start).toISOString().slice(0, 10), millis: stop - start });
    start = stop;
  }
  return parts;
}

/** A timestamptz column read back as the ISO spelling the batches key rows by, so it writes back unchanged. */
export const isoInstantSql = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
