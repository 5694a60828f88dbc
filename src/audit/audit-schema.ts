import type { SqlClient } from '../storage/sql-client.ts';
import { AUDIT_SCHEMA_LOCK_KEY } from '../events/store/sql/lock-keys.ts';

/**
 * The audit tables, in the log's own database (both SQL adapters). Created
 * with IF NOT EXISTS by whoever first needs them (the chain keeper), not by the
 * event log's migrations: the log works without an audit, and verification
 * must write nothing, so it only checks whether they exist.
 *
 * Advisory lock keys follow src/events/store/sql/lock-keys.ts: "chorus" + a
 * 16-bit purpose number.
 */

// AUDIT_SCHEMA_LOCK_KEY is held while the tables are created: concurrent CREATE … IF NOT EXISTS can collide.

/**
 * chorus_audit_chain: one row per chained event.
 *   position      the event's global position
 *   seq           1-based rank in the chain (positions may have gaps, seq has none)
 *   prev_position position of the previous chained event (0 for the first), so a
 *                 row deleted together with its chain row is still named
 *   event_id      the event's id when chained: tells a moved event from a modified one
 *   event_hash    SHA-256 of the canonical event (src/audit/canonical-event.ts)
 *   chain_hash    SHA-256(previous chain_hash hex ‖ event_hash hex)
 * chorus_audit_checkpoints: signed (position, chain_hash) every N events.
 * chorus_audit_keys: public keys that signed checkpoints, by key id.
 */
const CREATE_AUDIT_TABLES = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_audit_chain (
  position      bigint PRIMARY KEY,
  seq           bigint NOT NULL,
  prev_position bigint NOT NULL,
  event_id      uuid   NOT NULL,
  event_hash    bytea  NOT NULL,
  chain_hash    bytea  NOT NULL
);
CREATE TABLE IF NOT EXISTS chorus_audit_checkpoints (
  position   bigint      PRIMARY KEY,
  seq        bigint      NOT NULL,
  chain_hash bytea       NOT NULL,
  key_id     text        NOT NULL,
  signature  bytea       NOT NULL,
  signed_at  timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS chorus_audit_keys (
  key_id      text        PRIMARY KEY,
  public_key  text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
`;

export async function ensureAuditTables(client: SqlClient): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${AUDIT_SCHEMA_LOCK_KEY})`);
    await tx.exec(CREATE_AUDIT_TABLES);
  });
}

const TABLES_PRESENT = /* sql */ `
SELECT to_regclass('chorus_audit_chain') IS NOT NULL AS chain,
       to_regclass('chorus_audit_checkpoints') IS NOT NULL AS checkpoints,
       to_regclass('chorus_audit_keys') IS NOT NULL AS keys,
       to_regclass('chorus_events') IS NOT NULL AS events`;

/** Whether the log and the audit tables exist, without creating anything. */
export async function auditTablesPresent(client: SqlClient): Promise<{ readonly events: boolean; readonly audit: boolean }> {
  const { rows } = await client.query<{ chain: boolean; checkpoints: boolean; keys: boolean; events: boolean }>(TABLES_PRESENT);
  const r = rows[0];
  return { events: r?.events === true, audit: r?.chain === true && r.checkpoints === true && r.keys === true };
}
