import { isBefore, toUtc } from '../../commands/time.ts';

/**
 * Instants as the presence and location models hold them: UTC `…Z` with
 * millisecond precision, the spelling `Date#toISOString` gives. The SQL tables
 * keep them as timestamptz and read them back through `Date`, so holding the
 * same spelling in memory is what makes a view seeded from SQL equal to one
 * built by replay.
 */
export function canonicalInstant(iso: string): string {
  return toUtc(iso);
}

/** A timestamptz read back from either driver (a `Date`; text tolerated), as a canonical instant. */
export function instantFromSql(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : canonicalInstant(value);
}

/**
 * A binding, publication, subscription or user-set state is live up to and
 * including its expiry instant: the same rule the user decider applies
 * (src/commands/user/expiry-rules.ts), so a read model and the decider agree on
 * the instant something lapses.
 */
export function isLiveAt(expiresAt: string, now: string): boolean {
  return !isBefore(expiresAt, now);
}

/** The earlier of two instants (null means "never"). */
export function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return isBefore(b, a) ? b : a;
}
