/**
 * Keys of the PostgreSQL advisory locks the event log takes. Advisory locks are
 * per database (not per schema), so the keys are fixed, distinctive constants:
 * the ASCII of "chorus" followed by a 16-bit purpose number.
 */

/** Held (transaction-scoped) by every append while it allocates global positions and until it commits. */
export const APPEND_LOCK_KEY = '7163115424460554241'; // 0x63686f7275730001

/** Held (transaction-scoped) while schema migrations run, so two processes starting at once migrate once. */
export const MIGRATION_LOCK_KEY = '7163115424460554242'; // 0x63686f7275730002

/** Channel the append function NOTIFYs after writing, payload = the new head position. */
export const EVENTS_CHANNEL = 'chorus_events';
