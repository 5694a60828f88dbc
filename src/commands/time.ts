/**
 * Instant arithmetic on ISO-8601 strings. Pure: the "now" always comes from
 * the caller (the DecisionContext), never from the machine clock.
 */

function millis(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(iso)}`);
  return ms;
}

/** `iso` plus `seconds`, as a UTC ISO string. */
export function addSeconds(iso: string, seconds: number): string {
  return new Date(millis(iso) + seconds * 1000).toISOString();
}

/** True when instant `a` is strictly before instant `b` (offsets honoured). */
export function isBefore(a: string, b: string): boolean {
  return millis(a) < millis(b);
}

/** Whole seconds from `from` to `to`, rounded down; 0 if `to` is not after `from`. */
export function wholeSecondsBetween(from: string, to: string): number {
  return Math.max(0, Math.floor((millis(to) - millis(from)) / 1000));
}

/** Normalises any accepted instant (with an offset) to UTC `…Z`, so events spell time one way. */
export function toUtc(iso: string): string {
  return new Date(millis(iso)).toISOString();
}
