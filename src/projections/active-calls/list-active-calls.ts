import type { SqlClient } from '../../storage/sql-client.ts';
import { ACTIVE_CALL_COLUMNS, ActiveCallRowSchema, type ActiveCall } from './active-call-row.ts';

// COLLATE "C": the same order on PGlite and PostgreSQL whatever the database's locale.
const SELECT_ACTIVE_CALLS = /* sql */ `
SELECT ${ACTIVE_CALL_COLUMNS}
FROM active_calls
ORDER BY started_at, sip_call_id COLLATE "C"`;

/** Every call not yet ended, oldest first. */
export async function listActiveCalls(client: Pick<SqlClient, 'query'>): Promise<ActiveCall[]> {
  const { rows } = await client.query(SELECT_ACTIVE_CALLS);
  return rows.map((row) => ActiveCallRowSchema.parse(row));
}
