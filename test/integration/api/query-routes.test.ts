import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ApiErrorSchema } from '../../../src/api/api-error.ts';
import { activeCallPath, ActiveCallSchema, ActiveCallsSchema, ACTIVE_CALLS_PATH } from '../../../src/api/contract/calls-query-contract.ts';
import { CDR_PATH, CdrPageSchema } from '../../../src/api/contract/cdr-query-contract.ts';
import { conferenceRosterPath, ConferenceRosterSchema, ConferencesSchema } from '../../../src/api/contract/conference-query-contract.ts';
import { PresenceBatchSchema, PRESENCE_PATH, userPresencePath, UserPresenceAnswerSchema } from '../../../src/api/contract/presence-query-contract.ts';
import { userRegistrationsPath, UserRegistrationsSchema } from '../../../src/api/contract/registrations-query-contract.ts';
import { TimelinePageSchema, userTimelinePath } from '../../../src/api/contract/timeline-query-contract.ts';
import { createHttpServer, type ApiServer } from '../../../src/api/http-server.ts';
import { queryCallsRoutes } from '../../../src/api/routes/query-calls-routes.ts';
import { queryCdrRoutes } from '../../../src/api/routes/query-cdr-routes.ts';
import { queryConferencesRoutes } from '../../../src/api/routes/query-conferences-routes.ts';
import { queryPresenceRoutes } from '../../../src/api/routes/query-presence-routes.ts';
import { queryRegistrationsRoutes } from '../../../src/api/routes/query-registrations-routes.ts';
import { queryTimelineRoutes } from '../../../src/api/routes/query-timeline-routes.ts';
import { analyticsRoutes } from '../../../src/api/routes/analytics-routes.ts';
import { AnalyticsAnswerSchema } from '../../../src/api/contract/analytics-contract.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { userStreamId } from '../../../src/commands/stream-ids.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { userTimeline } from '../../../src/projections/audit-timeline/user-timeline.ts';
import { directoryReader, directoryView, type DirectoryState } from '../../../src/projections/directory/index.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import { InMemoryView, ProjectionManager } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView, type LocationViewState } from '../../../src/projections/location/index.ts';
import { createPresenceReader, presenceView, type PresenceViewState } from '../../../src/projections/presence/index.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { readModelBackends } from '../../support/projection-backends.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { DomainScenario, WAIT_MS } from '../projections/domain-read-model-harness.ts';

const TOKEN = 'query-routes-test-admin-token-42';
const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const DAVE = 'sip:dave@example.test';
const ERIN = 'sip:erin@example.test';
const T0 = '2024-05-01T09:00:00.000Z';
/** The API's clock: after every event of the scenario, before the hour-long registrations lapse. */
const NOW = '2024-05-01T09:30:00.000Z';

const ALICE_DESK = 'sip:alice@192.0.2.1:5061;transport=tls';
const ALICE_PHONE = 'sip:alice@192.0.2.11:5060';
const BOB_LAPTOP = 'sip:bob@192.0.2.2:5061;transport=tls';

/**
 * A morning of the pool, through the real deciders: users with registrations,
 * publications, a user-set state and watchers; calls in progress and ended;
 * conferences in every state; a finished IM session.
 */
async function aMorning(s: DomainScenario): Promise<{ aliceDesk: string; alicePhone: string }> {
  s.at(T0);
  for (const [uri, name] of [
    [ALICE, 'Alice'],
    [BOB, 'Bob'],
    [CAROL, 'Carol'],
    [ERIN, 'Erin'],
  ] as const)
    await s.user(uri, { type: 'ProvisionUser', data: { sipUri: uri, displayName: name } });
  await s.user(ERIN, { type: 'DeprovisionUser', data: { reason: 'left the company' } });

  const [desk] = await s.user(ALICE, {
    type: 'RegisterEndpoint',
    data: { contact: ALICE_DESK, transport: 'tls', sourceAddress: '192.0.2.1:5061', userAgent: 'Communicator 3.5', expiresSeconds: 3600 },
  });
  assert.ok(desk?.type === 'endpoint.registered.v1');
  await s.user(ALICE, {
    type: 'PublishPresence',
    data: { endpointId: desk.data.endpointId, state: { availability: 'available', note: 'in the office' }, expiresSeconds: 3600 },
  });
  await s.user(ALICE, { type: 'SubscribeWatcher', data: { watcherUri: BOB, subscriptionId: 'bob-watches-alice', expiresSeconds: 3600 } });
  await s.user(ALICE, { type: 'SubscribeWatcher', data: { watcherUri: CAROL, subscriptionId: 'carol-watches-alice', expiresSeconds: 3600 } });
  // Lapsed by NOW but never swept: the API must not count it.
  await s.user(ALICE, { type: 'SubscribeWatcher', data: { watcherUri: DAVE, subscriptionId: 'dave-watches-alice', expiresSeconds: 60 } });
  // Lapsed by NOW but never swept: the API must not list it.
  await s.user(BOB, { type: 'RegisterEndpoint', data: { contact: 'sip:bob@192.0.2.99:5060', transport: 'udp', sourceAddress: '192.0.2.99:5060', expiresSeconds: 60 } });

  s.at('2024-05-01T09:01:00.000Z');
  const [phone] = await s.user(ALICE, {
    type: 'RegisterEndpoint',
    data: { contact: ALICE_PHONE, transport: 'udp', sourceAddress: '192.0.2.11:5060', expiresSeconds: 3600 },
  });
  assert.ok(phone?.type === 'endpoint.registered.v1');
  await s.user(BOB, { type: 'RegisterEndpoint', data: { contact: BOB_LAPTOP, transport: 'tls', sourceAddress: '192.0.2.2:5061', expiresSeconds: 3600 } });
  await s.user(BOB, { type: 'SetUserState', data: { availability: 'do_not_disturb', note: 'focus time' } });

  // c-1: Alice and Bob talking. c-2 and c-4 ended. c-3 still ringing.
  s.at('2024-05-01T09:02:00.000Z');
  await s.call('c-1', { type: 'InitiateCall', data: { sipCallId: 'c-1', caller: ALICE, dialledString: 'bob' } });
  await s.call('c-1', { type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: [BOB_LAPTOP] } } });
  await s.call('c-1', { type: 'AnswerCall', data: { contact: BOB_LAPTOP } });
  s.at('2024-05-01T09:03:00.000Z');
  await s.call('c-2', { type: 'InitiateCall', data: { sipCallId: 'c-2', caller: CAROL, dialledString: 'bob' } });
  await s.call('c-2', { type: 'EndCall', data: { cause: 'cancelled', sipStatus: 487 } });
  s.at('2024-05-01T09:04:00.000Z');
  await s.call('c-3@host.example.test', {
    type: 'InitiateCall',
    data: { sipCallId: 'c-3@host.example.test', caller: CAROL, dialledString: '5550100', normalizedNumber: '+14255550100' },
  });
  await s.call('c-3@host.example.test', {
    type: 'RouteCall',
    data: {
      route: { kind: 'pstn', number: '+14255550100', routeName: 'Local', gateway: 'gw1', gateways: ['gw1'], voicePolicy: 'Standard', pstnUsage: 'Local' },
    },
  });
  await s.call('c-3@host.example.test', { type: 'MarkCallRinging', data: {} });
  await s.call('c-4', { type: 'InitiateCall', data: { sipCallId: 'c-4', caller: BOB, dialledString: 'carol' } });
  s.later(30);
  await s.call('c-4', { type: 'EndCall', data: { cause: 'completed' } });

  s.at('2024-05-01T09:05:00.000Z');
  const schedule = (conferenceId: string, organizer: string, subject: string) =>
    s.conference(conferenceId, {
      type: 'ScheduleConference',
      data: { conferenceId, organizer, subject, startsAt: '2024-05-01T09:10:00.000Z', endsAt: '2024-05-01T10:00:00.000Z', access: 'lobby' },
    });
  await schedule('weekly', ALICE, 'Weekly sync');
  await schedule('retro', BOB, 'Retro');
  await schedule('later', CAROL, 'Later');
  s.at('2024-05-01T09:10:00.000Z');
  await s.conference('weekly', { type: 'JoinConference', data: { participant: ALICE, role: 'presenter', modality: 'audio' } });
  s.later(5);
  await s.conference('weekly', { type: 'JoinConference', data: { participant: CAROL, role: 'attendee', modality: 'video' } });
  await s.conference('retro', { type: 'JoinConference', data: { participant: BOB, role: 'presenter', modality: 'audio' } });
  s.at('2024-05-01T09:20:00.000Z');
  await s.conference('retro', { type: 'EndConference', data: { by: BOB } });

  s.at('2024-05-01T09:15:00.000Z');
  await s.im('s-1', {
    type: 'StartImSession',
    data: { sessionId: 's-1', initiator: ALICE, invitees: [BOB], message: { sender: ALICE, contentType: 'text/plain', body: 'lunch?', archive: false } },
  });
  s.later(60);
  await s.im('s-1', { type: 'EndImSession', data: { endedBy: BOB, reason: 'bye' } });
  return { aliceDesk: desk.data.endpointId, alicePhone: phone.data.endpointId };
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const OpenApiSchema = z.looseObject({
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.looseObject({
        tags: z.array(z.string()).optional(),
        parameters: z.array(z.looseObject({ name: z.string(), in: z.string() })).optional(),
        responses: z.record(z.string(), z.unknown()),
      }),
    ),
  ),
});

for (const backend of readModelBackends) {
  describe(`query routes over HTTP (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let client: SqlClient;
    let manager: ProjectionManager<DomainEvent>;
    let app: ApiServer;
    let base: string;
    const scenario = new DomainScenario();
    let endpoints: { aliceDesk: string; alicePhone: string };

    before(async () => {
      client = await backend.open();
      await backend.reset(client);
      endpoints = await aMorning(scenario);

      const presence = new InMemoryView<DomainEvent, PresenceViewState>({ store: scenario.store, definition: presenceView, logger: silentLogger });
      const location = new InMemoryView<DomainEvent, LocationViewState>({ store: scenario.store, definition: locationView, logger: silentLogger });
      const directory = new InMemoryView<DomainEvent, DirectoryState>({ store: scenario.store, definition: directoryView, logger: silentLogger });
      manager = new ProjectionManager<DomainEvent>({
        store: scenario.store,
        client,
        projections: domainProjections,
        views: [presence, location, directory],
        logger: silentLogger,
      });
      await manager.start();
      await manager.waitForPosition(await scenario.head(), WAIT_MS);

      const clock = () => new Date(NOW);
      const readers = { presence: createPresenceReader(presence), location: createLocationReader(location), directory: directoryReader(directory) };
      app = createHttpServer({
        config: { adminToken: TOKEN, store: 'pglite' },
        version: '0.0.0-test',
        logger: silentLogger,
        metrics: createMetricsRegistry({ defaultMetrics: false }),
        routes: [
          queryPresenceRoutes({ presence: readers.presence, directory: readers.directory, clock }),
          queryRegistrationsRoutes({ location: readers.location, directory: readers.directory, clock }),
          queryCallsRoutes({ client }),
          queryConferencesRoutes({ client }),
          queryCdrRoutes({ client }),
          queryTimelineRoutes({ client }),
          analyticsRoutes({ client, clock }),
        ],
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });

    after(async () => {
      await app?.close();
      await manager?.close();
      await client?.close();
    });

    async function get(path: string, token: string | null = TOKEN): Promise<Answer> {
      const res = await fetch(base + path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }

    async function ok<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
      const answer = await get(path);
      assert.equal(answer.status, 200, `GET ${path}: ${JSON.stringify(answer.body)}`);
      return schema.parse(answer.body);
    }

    /** The 400's issue paths, sorted. */
    async function badRequest(path: string): Promise<string[]> {
      const answer = await get(path);
      assert.equal(answer.status, 400, `GET ${path}: ${JSON.stringify(answer.body)}`);
      const body = ApiErrorSchema.parse(answer.body);
      assert.equal(body.error, 'bad_request');
      return (body.issues ?? []).map((i) => i.path).sort();
    }

    async function notFound(path: string): Promise<z.infer<typeof ApiErrorSchema>> {
      const answer = await get(path);
      assert.equal(answer.status, 404, `GET ${path}: ${JSON.stringify(answer.body)}`);
      return ApiErrorSchema.parse(answer.body);
    }

    it('GET /analytics/*: calls per hour with ASR, presence time in state up to now, IM volume, conference attendance', async () => {
      const day = 'from=2024-05-01T00:00:00Z&to=2024-05-02T00:00:00Z';
      assert.deepEqual(await ok(`/analytics/calls-per-hour?${day}`, AnalyticsAnswerSchema), {
        report: 'calls-per-hour',
        // c-1 answered and still up; c-2 cancelled; c-3 ringing; c-4 ended unanswered.
        rows: [{ hour: '2024-05-01T09:00:00.000Z', attempts: 4, answered: 1, answerSeizureRatio: 0.25, completed: 0, talkSeconds: 0 }],
      });
      const bob = await ok(`/analytics/presence-time?${day}&user=${encodeURIComponent(BOB)}`, AnalyticsAnswerSchema);
      // Registered (Available) at 09:00, DND from 09:01 (a user-set DND beats his call), counted up to the API's now.
      assert.deepEqual(bob, {
        report: 'presence-time',
        asOf: NOW,
        rows: [
          { sipUri: BOB, day: '2024-05-01', availability: 'available', seconds: 60 },
          { sipUri: BOB, day: '2024-05-01', availability: 'do_not_disturb', seconds: 1740 },
        ],
      });
      assert.deepEqual(await ok(`/analytics/im-volume?${day}`, AnalyticsAnswerSchema), {
        report: 'im-volume',
        rows: [{ day: '2024-05-01', sipUri: ALICE, sessionsStarted: 1, messagesSent: 1, messagesReceived: 0 }],
      });
      const attendance = await ok(`/analytics/conference-attendance?${day}`, AnalyticsAnswerSchema);
      assert.ok(attendance.report === 'conference-attendance');
      assert.deepEqual(
        attendance.rows.map((c) => [c.conferenceId, c.attendees, c.participants.map((p) => [p.participant, p.attendedSeconds, p.present])]),
        [
          ['later', 0, []],
          ['retro', 1, [[BOB, 595, false]]],
          // Carol is still in the lobby: not an attendee.
          ['weekly', 1, [[ALICE, 1200, true]]],
        ],
      );
    });

    it('GET /analytics/*: an inverted or missing range is a 400 naming the field', async () => {
      assert.deepEqual(await badRequest('/analytics/calls-per-hour?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z'), ['to']);
      assert.deepEqual(await badRequest('/analytics/im-volume?to=2024-05-01T00:00:00Z'), ['from']);
      assert.deepEqual(await badRequest('/analytics/presence-time?from=2024-05-01T00:00:00Z&to=2024-05-02T00:00:00Z&user=alice'), ['user']);
      assert.equal((await get('/analytics/unknown-report?from=2024-05-01T00:00:00Z&to=2024-05-02T00:00:00Z')).status, 404);
    });

    it('GET /users/{sipUri}/presence aggregates now: a call beats Available, a user-set DND beats the call, no endpoint is Offline', async () => {
      assert.deepEqual(await ok(userPresencePath(ALICE), UserPresenceAnswerSchema), {
        sipUri: ALICE,
        availability: 'busy',
        code: 6500,
        activity: 'In a call',
        note: 'in the office',
        source: 'call',
        // Dave's subscription lapsed at 09:01 and was never swept: not counted.
        watchers: 2,
        asOf: NOW,
      });
      assert.deepEqual(await ok(userPresencePath(BOB), UserPresenceAnswerSchema), {
        sipUri: BOB,
        availability: 'do_not_disturb',
        code: 9500,
        activity: null,
        note: 'focus time',
        source: 'user',
        watchers: 0,
        asOf: NOW,
      });
      const carol = await ok(userPresencePath(CAROL), UserPresenceAnswerSchema);
      assert.deepEqual([carol.availability, carol.code, carol.source], ['offline', 18500, 'no_endpoint']);
    });

    it('GET /users/{sipUri}/presence is 404 not_provisioned for an unknown or deprovisioned user, 400 for a malformed URI', async () => {
      for (const uri of [DAVE, ERIN]) {
        const error = await notFound(userPresencePath(uri));
        assert.equal(error.error, 'not_provisioned');
        assert.equal(error['sipUri'], uri);
      }
      assert.deepEqual(await badRequest(userPresencePath('alice@example.test')), ['sipUri']);
    });

    it('GET /presence?users= answers the known users in order, once each, and lists the unknown', async () => {
      const batch = await ok(`${PRESENCE_PATH}?users=${encodeURIComponent([CAROL, DAVE, ALICE, CAROL, ERIN].join(','))}`, PresenceBatchSchema);
      assert.equal(batch.asOf, NOW);
      assert.deepEqual(
        batch.users.map((u) => [u.sipUri, u.availability, u.watchers]),
        [
          [CAROL, 'offline', 0],
          [ALICE, 'busy', 2],
        ],
      );
      assert.deepEqual(batch.unknown, [DAVE, ERIN]);
    });

    it('GET /presence refuses a missing, malformed or oversized list with issue paths', async () => {
      assert.deepEqual(await badRequest(PRESENCE_PATH), ['users']);
      assert.deepEqual(await badRequest(`${PRESENCE_PATH}?users=${encodeURIComponent(`${ALICE},bogus,${BOB},`)}`), ['users.1', 'users.3']);
      const many = Array.from({ length: 101 }, (_, i) => `sip:user${i}@example.test`).join(',');
      assert.deepEqual(await badRequest(`${PRESENCE_PATH}?users=${encodeURIComponent(many)}`), ['users']);
      const hundred = Array.from({ length: 100 }, (_, i) => `sip:user${i}@example.test`).join(',');
      assert.equal((await ok(`${PRESENCE_PATH}?users=${encodeURIComponent(hundred)}`, PresenceBatchSchema)).unknown.length, 100);
    });

    it('GET /users/{sipUri}/registrations lists the live bindings in ring order, without the lapsed one', async () => {
      assert.deepEqual(await ok(userRegistrationsPath(ALICE), UserRegistrationsSchema), {
        sipUri: ALICE,
        asOf: NOW,
        registrations: [
          {
            endpointId: endpoints.aliceDesk,
            contact: ALICE_DESK,
            transport: 'tls',
            sourceAddress: '192.0.2.1:5061',
            instanceId: null,
            userAgent: 'Communicator 3.5',
            registeredAt: T0,
            expiresAt: '2024-05-01T10:00:00.000Z',
          },
          {
            endpointId: endpoints.alicePhone,
            contact: ALICE_PHONE,
            transport: 'udp',
            sourceAddress: '192.0.2.11:5060',
            instanceId: null,
            userAgent: null,
            registeredAt: '2024-05-01T09:01:00.000Z',
            expiresAt: '2024-05-01T10:01:00.000Z',
          },
        ],
      });
      const bob = await ok(userRegistrationsPath(BOB), UserRegistrationsSchema);
      assert.deepEqual(
        bob.registrations.map((r) => r.contact),
        [BOB_LAPTOP],
        'the 60-second binding lapsed at 09:01',
      );
      assert.deepEqual((await ok(userRegistrationsPath(CAROL), UserRegistrationsSchema)).registrations, []);
      assert.equal((await notFound(userRegistrationsPath(DAVE))).error, 'not_provisioned');
    });

    it('GET /calls/active lists the calls not ended, oldest first; one call by Call-ID, 404 once ended', async () => {
      const { calls } = await ok(ACTIVE_CALLS_PATH, ActiveCallsSchema);
      assert.deepEqual(
        calls.map((c) => [c.sipCallId, c.state, c.caller, c.target]),
        [
          ['c-1', 'answered', ALICE, BOB],
          ['c-3@host.example.test', 'ringing', CAROL, '+14255550100'],
        ],
      );
      assert.deepEqual(calls[0]?.route, { kind: 'user', contacts: [BOB_LAPTOP] });
      assert.equal(calls[0]?.answeredAt, '2024-05-01T09:02:00.000Z');
      const pstn = await ok(activeCallPath('c-3@host.example.test'), ActiveCallSchema);
      assert.deepEqual(pstn.route, { kind: 'pstn', routeName: 'Local', gateway: 'gw1', voicePolicy: 'Standard', pstnUsage: 'Local' });
      assert.equal(pstn.normalizedNumber, '+14255550100');
      assert.equal((await notFound(activeCallPath('c-2'))).error, 'call_not_found');
    });

    it('GET /conferences?state= lists by start with roster sizes; GET /conferences/{id}/roster shows who is in and in the lobby', async () => {
      const all = await ok('/conferences', ConferencesSchema);
      assert.deepEqual(
        all.conferences.map((c) => [c.conferenceId, c.state, c.participantCount, c.lobbyCount]).sort(),
        [
          ['later', 'scheduled', 0, 0],
          ['retro', 'ended', 0, 0],
          ['weekly', 'active', 1, 1],
        ],
      );
      assert.deepEqual((await ok('/conferences?state=active', ConferencesSchema)).conferences.map((c) => c.conferenceId), ['weekly']);
      assert.deepEqual((await ok('/conferences?state=ended', ConferencesSchema)).conferences.map((c) => c.conferenceId), ['retro']);
      assert.deepEqual(await badRequest('/conferences?state=paused'), ['state']);

      const roster = await ok(conferenceRosterPath('weekly'), ConferenceRosterSchema);
      assert.deepEqual(
        [roster.conference.conferenceId, roster.conference.organizer, roster.conference.subject, roster.conference.access, roster.conference.state],
        ['weekly', ALICE, 'Weekly sync', 'lobby', 'active'],
      );
      assert.deepEqual(
        roster.participants.map((p) => [p.sipUri, p.role, p.inLobby, p.modalities]),
        [
          [ALICE, 'presenter', false, ['audio']],
          [CAROL, 'attendee', true, ['video']],
        ],
      );
      assert.deepEqual((await ok(conferenceRosterPath('retro'), ConferenceRosterSchema)).participants, [], 'an ended conference has nobody in it');
      assert.equal((await notFound(conferenceRosterPath('never-scheduled'))).error, 'conference_not_found');
      assert.deepEqual(await badRequest(conferenceRosterPath('-bad id')), ['conferenceId']);
    });

    it('GET /cdr pages each kind with an opaque cursor until next is null', async () => {
      const first = await ok(`${CDR_PATH}?kind=call&limit=1`, CdrPageSchema);
      assert.deepEqual(first.items.map((r) => [r.kind, r.id]), [['call', 'c-2']]);
      assert.ok(first.next !== null);
      const second = await ok(`${CDR_PATH}?kind=call&limit=1&after=${first.next}`, CdrPageSchema);
      assert.deepEqual(second.items.map((r) => [r.kind, r.id]), [['call', 'c-4']]);
      assert.ok(second.next !== null, 'a full page may not be the last');
      const third = await ok(`${CDR_PATH}?kind=call&limit=1&after=${second.next}`, CdrPageSchema);
      assert.deepEqual([third.items, third.next], [[], null]);

      const calls = await ok(`${CDR_PATH}?kind=call`, CdrPageSchema);
      assert.deepEqual([calls.items.map((r) => r.id), calls.next], [['c-2', 'c-4'], null]);
      const c2 = calls.items[0];
      assert.ok(c2?.kind === 'call');
      assert.deepEqual([c2.caller, c2.endCause, c2.sipStatus, c2.answeredAt, c2.endedAt], [CAROL, 'cancelled', 487, null, '2024-05-01T09:03:00.000Z']);

      const conferences = await ok(`${CDR_PATH}?kind=conference`, CdrPageSchema);
      assert.deepEqual(conferences.items.map((r) => [r.kind, r.id]), [['conference', 'retro']]);
      const im = await ok(`${CDR_PATH}?kind=im`, CdrPageSchema);
      const session = im.items[0];
      assert.ok(session?.kind === 'im');
      assert.deepEqual([session.id, session.initiator, session.messagesSent, session.endedBy], ['s-1', ALICE, 1, BOB]);
    });

    it('GET /cdr refuses a bad kind, limit or cursor, and a cursor of another kind, with issue paths', async () => {
      assert.deepEqual(await badRequest(CDR_PATH), ['kind']);
      assert.deepEqual(await badRequest(`${CDR_PATH}?kind=fax&limit=0`), ['kind', 'limit']);
      assert.deepEqual(await badRequest(`${CDR_PATH}?kind=call&limit=1001`), ['limit']);
      assert.deepEqual(await badRequest(`${CDR_PATH}?kind=call&limit=1e2`), ['limit']);
      assert.deepEqual(await badRequest(`${CDR_PATH}?kind=call&after=not-a-cursor`), ['after']);
      assert.deepEqual(await badRequest(`${CDR_PATH}?kind=call&after=${encodeURIComponent('a b')}`), ['after']);
      const { next } = await ok(`${CDR_PATH}?kind=call&limit=1`, CdrPageSchema);
      assert.ok(next !== null);
      assert.deepEqual(await badRequest(`${CDR_PATH}?kind=im&after=${next}`), ['after']);
    });

    it("GET /users/{sipUri}/timeline pages the user's audit trail in log order; the pages add up to the whole", async () => {
      const whole = await ok(`${userTimelinePath(ALICE)}?limit=1000`, TimelinePageSchema);
      assert.equal(whole.next, null);
      assert.deepEqual(
        whole.items.slice(0, 4).map((e) => [e.eventType, e.streamId]),
        [
          ['directory.user_provisioned.v1', userStreamId(ALICE)],
          ['endpoint.registered.v1', userStreamId(ALICE)],
          ['presence.published.v1', userStreamId(ALICE)],
          ['presence.watcher_subscribed.v1', userStreamId(ALICE)],
        ],
      );
      assert.deepEqual(whole.items[0]?.summary, {
        as: ['user'],
        displayName: 'Alice',
        lineUri: null,
        enterpriseVoiceEnabled: false,
        dialPlan: null,
        voicePolicy: null,
        maxEndpoints: 8,
      });
      // The same rows the read model gives, positions as decimal strings.
      const direct = await userTimeline(client, ALICE, { limit: 1000 });
      assert.deepEqual(
        whole.items.map((e) => e.position),
        direct.items.map((e) => String(e.position)),
      );
      assert.ok(whole.items.some((e) => e.eventType === 'call.answered.v1'), 'the call she made is on her timeline');
      assert.ok(whole.items.some((e) => e.eventType === 'im.session_ended.v1'), 'the IM session Bob ended is on her timeline');

      const walked: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const query: string = after === null ? '?limit=3' : `?limit=3&after=${after}`;
        const page = await ok(userTimelinePath(ALICE) + query, TimelinePageSchema);
        assert.ok(page.items.length <= 3);
        walked.push(...page.items.map((e) => e.position));
        after = page.next;
        if (after === null) break;
        assert.equal(after, page.items.at(-1)?.position);
      }
      assert.equal(after, null, 'the walk ends');
      assert.deepEqual(walked, whole.items.map((e) => e.position));
    });

    it('GET /users/{sipUri}/timeline keeps a deprovisioned user\'s trail, is empty for a stranger, refuses bad paging', async () => {
      const erin = await ok(userTimelinePath(ERIN), TimelinePageSchema);
      assert.deepEqual(erin.items.map((e) => e.eventType), ['directory.user_provisioned.v1', 'directory.user_deprovisioned.v1']);
      assert.deepEqual(await ok(userTimelinePath('sip:nobody@example.test'), TimelinePageSchema), {
        sipUri: 'sip:nobody@example.test',
        items: [],
        next: null,
      });
      assert.deepEqual(await badRequest(`${userTimelinePath(ALICE)}?after=-1&limit=0`), ['after', 'limit']);
      assert.deepEqual(await badRequest(`${userTimelinePath(ALICE)}?after=abc`), ['after']);
      assert.deepEqual(await badRequest(`${userTimelinePath('not-a-uri')}?limit=5`), ['sipUri']);
    });

    it('every query route needs the admin token', async () => {
      for (const path of [
        userPresencePath(ALICE),
        `${PRESENCE_PATH}?users=${encodeURIComponent(ALICE)}`,
        userRegistrationsPath(ALICE),
        ACTIVE_CALLS_PATH,
        activeCallPath('c-1'),
        '/conferences',
        conferenceRosterPath('weekly'),
        `${CDR_PATH}?kind=call`,
        userTimelinePath(ALICE),
      ]) {
        for (const token of [null, 'wrong-token-wrong-token']) {
          const answer = await get(path, token);
          assert.equal(answer.status, 401, `GET ${path} with ${String(token)}`);
          assert.equal(ApiErrorSchema.parse(answer.body).error, 'unauthorized');
        }
      }
    });

    it('lists every query route in /openapi.json with its parameters and answers', async () => {
      const doc = OpenApiSchema.parse((await get('/openapi.json', null)).body);
      const expected: Record<string, { tag: string; params: string[]; statuses: string[] }> = {
        '/users/{sipUri}/presence': { tag: 'presence', params: ['sipUri'], statuses: ['200', '400', '401', '404'] },
        '/presence': { tag: 'presence', params: ['users'], statuses: ['200', '400', '401'] },
        '/users/{sipUri}/registrations': { tag: 'registrations', params: ['sipUri'], statuses: ['200', '400', '401', '404'] },
        '/calls/active': { tag: 'calls', params: [], statuses: ['200', '401'] },
        '/calls/active/{sipCallId}': { tag: 'calls', params: ['sipCallId'], statuses: ['200', '400', '401', '404'] },
        '/conferences': { tag: 'conferences', params: ['state'], statuses: ['200', '400', '401'] },
        '/conferences/{conferenceId}/roster': { tag: 'conferences', params: ['conferenceId'], statuses: ['200', '400', '401', '404'] },
        '/cdr': { tag: 'cdr', params: ['after', 'kind', 'limit'], statuses: ['200', '400', '401'] },
        '/users/{sipUri}/timeline': { tag: 'audit', params: ['after', 'limit', 'sipUri'], statuses: ['200', '400', '401'] },
      };
      for (const [path, want] of Object.entries(expected)) {
        const operation = doc.paths[path]?.['get'];
        assert.ok(operation, `GET ${path} is documented`);
        assert.deepEqual(operation.tags, [want.tag], path);
        assert.deepEqual((operation.parameters ?? []).map((p) => p.name).sort(), want.params, path);
        assert.deepEqual(Object.keys(operation.responses).sort(), want.statuses, path);
      }
      const cdrKind = doc.paths['/cdr']?.['get']?.parameters?.find((p) => p.name === 'kind');
      assert.deepEqual(z.looseObject({ schema: z.looseObject({ enum: z.array(z.string()) }) }).parse(cdrKind).schema.enum, ['call', 'conference', 'im']);
    });

    it('answers from the live views and projections: a change in the log shows on the next GET', async () => {
      scenario.at('2024-05-01T09:25:00.000Z');
      await scenario.user(BOB, { type: 'ClearUserState', data: {} });
      await scenario.user(ALICE, { type: 'UnregisterEndpoint', data: { contact: ALICE_PHONE } });
      await scenario.call('c-1', { type: 'EndCall', data: { cause: 'completed' } });
      await manager.waitForPosition(await scenario.head(), WAIT_MS);

      const bob = await ok(userPresencePath(BOB), UserPresenceAnswerSchema);
      assert.deepEqual([bob.availability, bob.source, bob.note], ['available', 'registration', null]);
      const alice = await ok(userPresencePath(ALICE), UserPresenceAnswerSchema);
      assert.deepEqual([alice.availability, alice.source, alice.activity], ['available', 'machine', null]);
      assert.deepEqual((await ok(userRegistrationsPath(ALICE), UserRegistrationsSchema)).registrations.map((r) => r.contact), [ALICE_DESK]);
      assert.deepEqual((await ok(ACTIVE_CALLS_PATH, ActiveCallsSchema)).calls.map((c) => c.sipCallId), ['c-3@host.example.test']);
      assert.deepEqual((await ok(`${CDR_PATH}?kind=call`, CdrPageSchema)).items.map((r) => r.id), ['c-2', 'c-4', 'c-1']);
    });
  });
}
