import type { SqlClient } from '../../storage/sql-client.ts';
import {
  CONFERENCE_COLUMNS,
  ConferenceRowSchema,
  PARTICIPANT_COLUMNS,
  ParticipantRowSchema,
  type ConferenceSummary,
  type RosterParticipant,
} from './conference-rows.ts';

const SELECT_CONFERENCE = /* sql */ `SELECT ${CONFERENCE_COLUMNS} FROM conferences c WHERE c.conference_id = $1`;

// Lobby entries have no joined_at yet: they sort by when they started waiting. COLLATE "C": same order on every backend.
const SELECT_CURRENT_PARTICIPANTS = /* sql */ `
SELECT ${PARTICIPANT_COLUMNS}
FROM conference_participants
WHERE conference_id = $1 AND left_at IS NULL
ORDER BY COALESCE(joined_at, lobbied_at), participant COLLATE "C"`;

export interface ConferenceRoster {
  readonly conference: ConferenceSummary;
  /** Everyone in the conference or waiting in its lobby (`inLobby`) now; empty once it ended. */
  readonly participants: readonly RosterParticipant[];
}

/** The conference and its current roster, read in one snapshot; null when no such conference was scheduled. */
export async function conferenceRoster(client: Pick<SqlClient, 'transaction'>, conferenceId: string): Promise<ConferenceRoster | null> {
  return client.transaction(async (tx) => {
    // Two SELECTs must agree with each other: on PostgreSQL that needs one REPEATABLE READ snapshot.
    if (tx.dialect === 'postgres') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await tx.query(SELECT_CONFERENCE, [conferenceId]);
    if (rows.length === 0) return null;
    const conference = ConferenceRowSchema.parse(rows[0]);
    const participants = (await tx.query(SELECT_CURRENT_PARTICIPANTS, [conferenceId])).rows.map((r) => ParticipantRowSchema.parse(r));
    return { conference, participants };
  });
}
