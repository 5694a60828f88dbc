import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue } from '../../../../src/events/domain/domain-catalogue.ts';
import { conferenceRoster } from '../../../../src/projections/conference-roster/conference-roster.ts';
import { conferenceRosterProjection } from '../../../../src/projections/conference-roster/conference-roster-projection.ts';
import { listConferences } from '../../../../src/projections/conference-roster/list-conferences.ts';
import type { SqlTransaction } from '../../../../src/storage/sql-client.ts';

const conferenceRow = {
  conference_id: 'weekly',
  organizer: 'sip:alice@example.test',
  subject: 'Weekly',
  starts_at: new Date('2024-05-01T10:00:00.000Z'),
  ends_at: new Date('2024-05-01T11:00:00.000Z'),
  access: 'lobby',
  locked: false,
  state: 'active',
  scheduled_at: new Date('2024-05-01T09:00:00.000Z'),
  activated_at: new Date('2024-05-01T10:00:00.000Z'),
  ended_at: null,
  ended_by: null,
  updated_at: new Date('2024-05-01T10:00:00.000Z'),
};

const participantRow = {
  participant: 'sip:bob@example.test',
  role: 'attendee',
  modalities: ['im', 'audio'],
  muted: true,
  in_lobby: false,
  lobbied_at: null,
  admitted_at: null,
  admitted_by: null,
  joined_at: new Date('2024-05-01T10:00:05.000Z'),
  left_at: null,
  left_reason: null,
  left_by: null,
};

/** A client whose transaction answers the conference SELECT then the participants SELECT. */
function fakeClient(answers: Record<string, unknown>[][]) {
  const statements: string[] = [];
  const tx: SqlTransaction = {
    dialect: 'pglite',
    async query<R extends object>(text: string) {
      statements.push(text);
      return { rows: (answers.shift() ?? []) as R[] };
    },
    async exec(text: string) {
      statements.push(text);
    },
  };
  return { statements, transaction: <T>(fn: (t: SqlTransaction) => Promise<T>) => fn(tx) };
}

describe('conference roster queries', () => {
  it('handles every conference event type', () => {
    const expected = domainCatalogue.types.filter((t) => t.startsWith('conference.')).sort();
    assert.deepEqual([...(conferenceRosterProjection.canHandle ?? [])].sort(), expected);
  });

  it('conferenceRoster: the conference and its participants, typed', async () => {
    const roster = await conferenceRoster(fakeClient([[conferenceRow], [participantRow]]), 'weekly');
    assert.equal(roster?.conference.access, 'lobby');
    assert.equal(roster?.conference.activatedAt, '2024-05-01T10:00:00.000Z');
    assert.deepEqual(roster?.participants, [
      {
        sipUri: 'sip:bob@example.test',
        role: 'attendee',
        modalities: ['im', 'audio'],
        muted: true,
        inLobby: false,
        lobbiedAt: null,
        admittedAt: null,
        admittedBy: null,
        joinedAt: '2024-05-01T10:00:05.000Z',
        leftAt: null,
        leftReason: null,
        leftBy: null,
      },
    ]);
  });

  it('conferenceRoster: null for an unknown conference, without reading participants', async () => {
    const client = fakeClient([[]]);
    assert.equal(await conferenceRoster(client, 'nope'), null);
    assert.equal(client.statements.length, 1);
  });

  it('refuses an unknown modality', async () => {
    await assert.rejects(conferenceRoster(fakeClient([[conferenceRow], [{ ...participantRow, modalities: ['fax'] }]]), 'weekly'));
  });

  it('listConferences: passes the state filter and reads int4 counts', async () => {
    const params: unknown[][] = [];
    const client = {
      async query<R extends object>(_text: string, p: readonly unknown[] = []) {
        params.push([...p]);
        return { rows: [{ ...conferenceRow, participant_count: 3, lobby_count: 1 }] as unknown as R[] };
      },
    };
    const listed = await listConferences(client, { state: 'active' });
    assert.deepEqual(params, [['active']]);
    assert.deepEqual([listed[0]?.conferenceId, listed[0]?.participantCount, listed[0]?.lobbyCount], ['weekly', 3, 1]);
    await listConferences(client);
    assert.deepEqual(params[1], [null]);
  });
});
