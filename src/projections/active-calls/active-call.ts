import type { SqlClient } from '../../storage/sql-client.ts';
import { ACTIVE_CALL_COLUMNS, ActiveCallRowSchema, type ActiveCall } from './active-call-row.ts';

const SELECT_ACTIVE_CALL = /* sql */ `SELECT ${ACTIVE_CALL_COLUMNS} FROM active_calls WHERE sip_call_id = $1`;

/** One call in progress by its SIP Call-ID; null when there is none (never existed, or ended). */
export async function activeCall(client: Pick<SqlClient, 'query'>, sipCallId: string): Promise<ActiveCall | null> {
  const { rows } = await client.query(SELECT_ACTIVE_CALL, [sipCallId]);
  return rows.length === 0 ? null : ActiveCallRowSchema.parse(rows[0]);
}
