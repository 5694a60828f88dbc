import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { conferenceRoster } from '../../../src/projections/conference-roster/conference-roster.ts';
import {
  CONFERENCE_ROSTER_TABLES,
  conferenceRosterProjection,
} from '../../../src/projections/conference-roster/conference-roster-projection.ts';
import { listConferences } from '../../../src/projections/conference-roster/list-conferences.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { assertRebuildsAreByteEqual, DomainScenario, runToHead, WAIT_MS } from './domain-read-model-harness.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const DAVE = 'sip:dave@example.test';
const T0 = '2024-05-01T09:00:00.000Z';

/** A lobby conference with admissions, a muted and rejoining attendee, a lobby refusal and a lock; plus one only scheduled. */
async function weeklyMeeting(s: DomainScenario): Promise<void> {
  s.at(T0);
  await s.conference('weekly', {
    type: 'ScheduleConference',
    data: {
      conferenceId: 'weekly',
      organizer: ALICE,
      subject: 'Weekly sync',
      startsAt: '2024-05-01T10:00:00.000Z',
      endsAt: '2024-05-01T11:00:00.000Z',
      access: 'lobby',
      pin: '1234',
    },
  });
  await s.conference('later', {
    type: 'ScheduleConference',
    data: { conferenceId: 'later', organizer: BOB, startsAt: '2024-05-02T10:00:00.000Z', endsAt: '2024-05-02T11:00:00.000Z' },
  });
  s.at('2024-05-01T10:00:00.000Z');
  await s.conference('weekly', { type: 'JoinConference', data: { participant: ALICE, role: 'attendee', modality: 'audio' } });
  s.later(10);
  await s.conference('weekly', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'im' } });
  s.later(10);
  await s.conference('weekly', { type: 'JoinConference', data: { participant: CAROL, role: 'attendee', modality: 'audio', pin: '1234' } });
  s.later(10);
  await s.conference('weekly', { type: 'AdmitParticipant', data: { participant: BOB, by: ALICE } });
  s.later(10);
  await s.conference('weekly', { type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } });
  await s.conference('weekly', { type: 'MuteParticipant', data: { participant: CAROL, by: ALICE } });
  s.later(10);
  await s.conference('weekly', { type: 'JoinConference', data: { participant: DAVE, role: 'attendee', modality: 'video' } });
  await s.conference('weekly', { type: 'LeaveConference', data: { participant: DAVE, by: ALICE } });
  s.later(10);
  await s.conference('weekly', { type: 'LeaveConference', data: { participant: CAROL } });
  s.later(10);
  await s.conference('weekly', { type: 'JoinConference', data: { participant: CAROL, role: 'attendee', modality: 'video', pin: '1234' } });
  await s.conference('weekly', { type: 'LockConference', data: { by: ALICE } });
}

forEachReadModelBackend<DomainEvent>('conference roster read model', {}, (suite) => {
  const run = (s: DomainScenario) => runToHead(suite, s, conferenceRosterProjection);

  it('given a lobby meeting, the roster holds who is in now with role, modalities, mute and admission', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await weeklyMeeting(s);
    await run(s);

    const roster = await conferenceRoster(client, 'weekly');
    assert.ok(roster);
    assert.deepEqual(roster.conference, {
      conferenceId: 'weekly',
      organizer: ALICE,
      subject: 'Weekly sync',
      startsAt: '2024-05-01T10:00:00.000Z',
      endsAt: '2024-05-01T11:00:00.000Z',
      access: 'locked',
      locked: true,
      state: 'active',
      scheduledAt: T0,
      activatedAt: '2024-05-01T10:00:00.000Z',
      endedAt: null,
      endedBy: null,
      updatedAt: '2024-05-01T10:01:10.000Z',
    });
    assert.deepEqual(
      roster.participants.map((p) => [p.sipUri, p.role, p.modalities, p.muted, p.inLobby]),
      [
        [ALICE, 'presenter', ['audio'], false, false],
        [BOB, 'attendee', ['im', 'audio'], false, false],
        // Left and joined again: a fresh participation, unmuted, with only the new modality.
        [CAROL, 'attendee', ['video'], false, false],
      ],
    );
    const bob = roster.participants[1];
    assert.equal(bob?.lobbiedAt, '2024-05-01T10:00:10.000Z');
    assert.equal(bob?.admittedAt, '2024-05-01T10:00:30.000Z');
    assert.equal(bob?.admittedBy, ALICE);
    assert.equal(bob?.joinedAt, '2024-05-01T10:00:30.000Z');
    assert.equal(roster.participants[2]?.joinedAt, '2024-05-01T10:01:10.000Z');

    const { rows } = await client.query<{ left_reason: string; left_by: string; in_lobby: boolean }>(
      `SELECT left_reason, left_by, in_lobby FROM conference_participants WHERE participant = $1`,
      [DAVE],
    );
    assert.deepEqual(rows, [{ left_reason: 'removed', left_by: ALICE, in_lobby: false }], 'refused from the lobby: kept as removed');

    assert.equal(await conferenceRoster(client, 'nope'), null);
    const later = await conferenceRoster(client, 'later');
    assert.equal(later?.conference.state, 'scheduled');
    assert.equal(later?.conference.access, 'open');
    assert.equal(later?.conference.locked, false);
    assert.deepEqual(later?.participants, []);
  });

  it('shows lobby waiters, unlock, and an ended conference with everyone put out; lists by state', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await weeklyMeeting(s);
    s.at('2024-05-01T10:30:00.000Z');
    await s.conference('weekly', { type: 'UnlockConference', data: { by: ALICE, access: 'lobby' } });
    await s.conference('weekly', { type: 'JoinConference', data: { participant: DAVE, role: 'presenter', modality: 'sharing' } });
    const runner = await run(s);

    const waiting = await conferenceRoster(client, 'weekly');
    assert.equal(waiting?.conference.access, 'lobby');
    assert.equal(waiting?.conference.locked, false);
    const dave = waiting?.participants.find((p) => p.sipUri === DAVE);
    assert.deepEqual(
      { inLobby: dave?.inLobby, role: dave?.role, modalities: dave?.modalities, joinedAt: dave?.joinedAt, lobbiedAt: dave?.lobbiedAt },
      { inLobby: true, role: 'presenter', modalities: ['sharing'], joinedAt: null, lobbiedAt: '2024-05-01T10:30:00.000Z' },
    );
    const listed = await listConferences(client);
    assert.deepEqual(
      listed.map((c) => [c.conferenceId, c.state, c.participantCount, c.lobbyCount]),
      [
        ['weekly', 'active', 3, 1],
        ['later', 'scheduled', 0, 0],
      ],
    );

    s.at('2024-05-01T11:00:00.000Z');
    await s.conference('weekly', { type: 'EndConference', data: { by: ALICE } });
    await runner.waitForPosition(await s.head(), WAIT_MS);
    const ended = await conferenceRoster(client, 'weekly');
    assert.equal(ended?.conference.state, 'ended');
    assert.equal(ended?.conference.endedAt, '2024-05-01T11:00:00.000Z');
    assert.equal(ended?.conference.endedBy, ALICE);
    assert.deepEqual(ended?.participants, []);
    const { rows } = await client.query<{ participant: string; left_reason: string }>(
      `SELECT participant, left_reason FROM conference_participants WHERE left_at = $1 ORDER BY participant COLLATE "C"`,
      ['2024-05-01T11:00:00.000Z'],
    );
    assert.deepEqual(
      rows.map((r) => [r.participant, r.left_reason]),
      [ALICE, BOB, CAROL, DAVE].map((p) => [p, 'conference_ended']),
    );
    assert.deepEqual((await listConferences(client, { state: 'ended' })).map((c) => c.conferenceId), ['weekly']);
    assert.deepEqual((await listConferences(client, { state: 'scheduled' })).map((c) => c.conferenceId), ['later']);
  });

  it('rebuilds twice to byte-equal tables', async () => {
    const { client } = suite;
    const s = new DomainScenario();
    await weeklyMeeting(s);
    const runner = await run(s);
    const dump = await assertRebuildsAreByteEqual(runner, client, CONFERENCE_ROSTER_TABLES);
    assert.match(dump, /"weekly"/);
  });
});
