import { z } from 'zod';
import type { SqlClient } from '../../storage/sql-client.ts';
import { CONFERENCE_COLUMNS, ConferenceRowSchema, type ConferenceSummary } from './conference-rows.ts';

// count(*) is int8 (number on PGlite, bigint on pg): cast to int4 so both return a number.
const SELECT_CONFERENCES = /* sql */ `
SELECT ${CONFERENCE_COLUMNS},
  (SELECT count(*)::int FROM conference_participants p
   WHERE p.conference_id = c.conference_id AND p.left_at IS NULL AND NOT p.in_lobby) AS participant_count,
  (SELECT count(*)::int FROM conference_participants p
   WHERE p.conference_id = c.conference_id AND p.left_at IS NULL AND p.in_lobby) AS lobby_count
FROM conferences c
WHERE ($1::text IS NULL OR c.state = $1::text)
ORDER BY c.starts_at, c.conference_id COLLATE "C"`;

const CountsSchema = z.object({ participant_count: z.number().int(), lobby_count: z.number().int() });

export interface ConferenceListing extends ConferenceSummary {
  /** Admitted participants not yet left. */
  readonly participantCount: number;
  /** Participants waiting in the lobby. */
  readonly lobbyCount: number;
}

export interface ListConferencesOptions {
  /** Only conferences in this state; omitted: all. */
  readonly state?: ConferenceSummary['state'];
}

/** Conferences by start time, with the size of their current roster. */
export async function listConferences(client: Pick<SqlClient, 'query'>, options: ListConferencesOptions = {}): Promise<ConferenceListing[]> {
  const { rows } = await client.query(SELECT_CONFERENCES, [options.state ?? null]);
  return rows.map((row) => {
    const counts = CountsSchema.parse(row);
    return { ...ConferenceRowSchema.parse(row), participantCount: counts.participant_count, lobbyCount: counts.lobby_count };
  });
}
