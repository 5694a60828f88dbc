/**
 * Which parts of a pool a process runs:
 * - `all`: the Standard Edition, one process with log, projections, SIP and HTTP (the default);
 * - `frontend`: HTTP API + SIP plane + hot-path views fed from Kafka; no SQL projection runners;
 * - `projector`: the Kafka projection workers that own the read models in the shared PostgreSQL;
 * - `relay`: tails the PostgreSQL log and publishes it to Kafka.
 * See docs/pool.md.
 */
export const EDITION_ROLES = ['all', 'frontend', 'projector', 'relay'] as const;
export type EditionRole = (typeof EDITION_ROLES)[number];

/** Roles that are pool members and cannot work without a Kafka broker. */
export function roleNeedsKafka(role: EditionRole): boolean {
  switch (role) {
    case 'all':
      return false;
    case 'frontend':
    case 'projector':
    case 'relay':
      return true;
    default: {
      const unknownRole: never = role;
      throw new Error(`unknown edition role ${String(unknownRole)}`);
    }
  }
}
