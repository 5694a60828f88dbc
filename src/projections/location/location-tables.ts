import { z } from 'zod';
import { SipTransportSchema } from '../../events/domain/primitives.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { instantFromSql } from '../presence/instants.ts';
import type { Binding } from './binding.ts';
import { emptyLocationViewState, putBinding, type LocationViewState } from './location-view-state.ts';

export const LOCATION_TABLES = ['location_bindings'] as const;

/** One row per live-or-not-yet-expired binding; `refreshed_at` is the last REGISTER (null before any refresh). */
export const LOCATION_SCHEMA = /* sql */ `
CREATE TABLE location_bindings (
  endpoint_id     text        PRIMARY KEY,
  aor             text        NOT NULL,
  contact         text        NOT NULL,
  transport       text        NOT NULL,
  source_address  text        NOT NULL,
  instance_id     text,
  user_agent      text,
  expires_at      timestamptz NOT NULL,
  registered_at   timestamptz NOT NULL,
  refreshed_at    timestamptz
);
CREATE INDEX location_bindings_by_aor ON location_bindings (aor);`;

const SELECT_BINDINGS = /* sql */ `
SELECT endpoint_id, aor, contact, transport, source_address, instance_id, user_agent, expires_at, registered_at
FROM location_bindings`;
const BY_AOR = /* sql */ ` WHERE aor = $1`;

const Instant = z.union([z.date(), z.string()]).transform(instantFromSql);
const BindingRow = z.object({
  endpoint_id: z.string(),
  aor: z.string(),
  contact: z.string(),
  transport: SipTransportSchema,
  source_address: z.string(),
  instance_id: z.string().nullable(),
  user_agent: z.string().nullable(),
  expires_at: Instant,
  registered_at: Instant,
});

/** Every binding (or one AOR's), live or not. */
export async function selectBindings(tx: Pick<SqlTransaction, 'query'>, aor?: string): Promise<Binding[]> {
  const { rows } = aor === undefined ? await tx.query(SELECT_BINDINGS) : await tx.query(SELECT_BINDINGS + BY_AOR, [aor]);
  return rows.map((raw) => {
    const r = BindingRow.parse(raw);
    return {
      endpointId: r.endpoint_id,
      aor: r.aor,
      contact: r.contact,
      transport: r.transport,
      sourceAddress: r.source_address,
      instanceId: r.instance_id,
      userAgent: r.user_agent,
      expiresAt: r.expires_at,
      registeredAt: r.registered_at,
    };
  });
}

/**
 * The location view's state from the projection's table: the `load` of
 * `seedFromSqlProjection(client, 'location', loadLocationViewState)`.
 */
export async function loadLocationViewState(tx: SqlTransaction): Promise<LocationViewState> {
  const state = emptyLocationViewState();
  for (const binding of await selectBindings(tx)) putBinding(state, binding);
  return state;
}
