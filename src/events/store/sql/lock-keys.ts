/**
 * Keys of the PostgreSQL advisory locks the event log takes. Advisory locks are
 * per database (not per schema), so the keys are fixed, distinctive constants:
 * the ASCII of "chorus" followed by a 16-bit purpose number.
 */

/** Held (transaction-scoped) by every append while it allocates global positions and until it commits. */
export const APPEND_LOCK_KEY = '7163115424460554241'; // 0x63686f7275730001

/** Held (transaction-scoped) while schema migrations run, so two processes starting at once migrate once. */
export const MIGRATION_LOCK_KEY = '7163115424460554242'; // 0x63686f7275730002

/*
 * Every other Chorus advisory lock, here so no two purposes ever share a key.
 * All are transaction-scoped and serialise schema creation or one keeper's step.
 */
/** Projection checkpoint table creation. */
export const PROJECTION_SCHEMA_LOCK_KEY = '7163115424460554256'; // 0x63686f7275730010
/** Pool relay checkpoint table creation. */
export const RELAY_SCHEMA_LOCK_KEY = '7163115424460554272'; // 0x63686f7275730020
/** Pool projector state table creation. */
export const POOL_PROJECTION_SCHEMA_LOCK_KEY = '7163115424460554273'; // 0x63686f7275730021
/** Privacy data-key table creation. */
export const DATA_KEY_SCHEMA_LOCK_KEY = '7163115424460554288'; // 0x63686f7275730030
/** One audit chain keeper step at a time, across processes. */
export const AUDIT_CHAIN_LOCK_KEY = '7163115424460554304'; // 0x63686f7275730040
/** Audit chain table creation. */
export const AUDIT_SCHEMA_LOCK_KEY = '7163115424460554305'; // 0x63686f7275730041

/** Channel the append function NOTIFYs after writing, payload = the new head position. */
export const EVENTS_CHANNEL = 'chorus_events';
