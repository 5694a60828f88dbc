import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { ApiErrorSchema } from '../../../src/api/api-error.ts';
import { ProjectionsStatusSchema } from '../../../src/api/contract/projections-contract.ts';
import { userPath } from '../../../src/api/contract/users-contract.ts';
import { voiceConfigPath } from '../../../src/api/contract/voice-config-contract.ts';
import { WriteAcceptedSchema } from '../../../src/api/contract/write-contract.ts';
import { computeHa1 } from '../../../src/commands/directory/compute-ha1.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition, type StandardEdition } from '../../../src/edition/standard-edition.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { defineSqlProjection } from '../../../src/projections/framework/index.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { editionBackends, type EditionPlace } from './edition-backends.ts';

const TOKEN = 'write-api-test-admin-token-0123';

/** A read model of this test only, so GET /projections and the rebuild have something to show whatever the registry holds. */
const usersSeen = defineSqlProjection<DomainEvent, 'directory.user_provisioned.v1'>({
  name: 'api_test_users_seen',
  version: 1,
  tables: ['api_test_users_seen'],
  schema: /* sql */ `CREATE TABLE api_test_users_seen (sip_uri text PRIMARY KEY, position bigint NOT NULL)`,
  canHandle: ['directory.user_provisioned.v1'],
  async handle(events, tx) {
    for (const e of events)
      await tx.query(/* sql */ `INSERT INTO api_test_users_seen (sip_uri, position) VALUES ($1, $2)`, [
        e.data.sipUri,
        String(e.globalPosition),
      ]);
  },
});

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

function errorOf(answer: Answer): z.infer<typeof ApiErrorSchema> {
  return ApiErrorSchema.parse(answer.body);
}

function inAnHour(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

for (const backend of editionBackends) {
  describe(`write API over HTTP (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let place: EditionPlace | undefined;
    let edition: StandardEdition;
    const stdout = new PassThrough();
    let printed = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));

    before(async () => {
      place = await backend.place();
      edition = await startStandardEdition(
        loadConfig({ ...place.env, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: TOKEN, CHORUS_DEMO: 'off' }),
        { logger: silentLogger, metrics: createMetricsRegistry({ defaultMetrics: false }), projections: [usersSeen], stdout },
      );
    });
    after(async () => {
      await edition?.close();
      await place?.dispose();
    });

    async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Answer> {
      const headers: Record<string, string> = {};
      if (token !== null) headers['authorization'] = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(edition.httpUrl + path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }

    const head = () => edition.store.headPosition();
    const typesIn = async (streamId: string) => (await edition.store.readStream(streamId)).map((e) => e.type);

    /** Runs `act` and checks that it wrote nothing at all. */
    async function writesNothing(act: () => Promise<Answer>): Promise<Answer> {
      const before = await head();
      const answer = await act();
      assert.equal(await head(), before, `the log head moved on ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer;
    }

    async function provision(user: string, extra: Record<string, unknown> = {}): Promise<void> {
      const res = await call('POST', '/users', { sipUri: `sip:${user}@example.test`, password: `${user}-secret`, ...extra });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }

    it('with CHORUS_DEMO=off on an empty log, writes nothing and prints nothing', async () => {
      assert.equal(await head(), 0n);
      assert.deepEqual(edition.demoAccounts, []);
      assert.equal(printed, '');
    });

    it('POST /users writes user_provisioned and credentials_set (HA1s for the user\'s domain) in one append, answering its position', async () => {
      const res = await call('POST', '/users', { sipUri: 'sip:dave@example.test', password: 'correct horse', lineUri: 'tel:+15550109999' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const body = z.looseObject({ sipUri: z.string(), lineUri: z.string(), position: z.string(), written: z.boolean() }).parse(res.body);
      assert.deepEqual({ sipUri: body.sipUri, lineUri: body.lineUri, written: body.written }, {
        sipUri: 'sip:dave@example.test',
        lineUri: 'tel:+15550109999',
        written: true,
      });

      const events = await edition.store.readStream('user-dave@example.test');
      assert.deepEqual(events.map((e) => e.type), ['directory.user_provisioned.v1', 'directory.credentials_set.v1']);
      assert.equal(body.position, String(events[1]!.globalPosition));
      assert.equal(events[1]!.globalPosition, events[0]!.globalPosition + 1n, 'one append');
      const [provisioned, credentials] = events;
      assert.equal(provisioned?.type, 'directory.user_provisioned.v1');
      if (provisioned?.type !== 'directory.user_provisioned.v1') return;
      assert.deepEqual(
        { displayName: provisioned.data.displayName, lineUri: provisioned.data.lineUri, voice: provisioned.data.enterpriseVoiceEnabled },
        { displayName: 'dave', lineUri: 'tel:+15550109999', voice: false },
      );
      assert.equal(credentials?.type, 'directory.credentials_set.v1');
      if (credentials?.type !== 'directory.credentials_set.v1') return;
      const expected = computeHa1('dave', 'example.test', 'correct horse');
      assert.deepEqual(
        { realm: credentials.data.realm, ha1Md5: credentials.data.ha1Md5, ha1Sha256: credentials.data.ha1Sha256 },
        { realm: 'example.test', ...expected },
      );
      assert.doesNotMatch(JSON.stringify(events.map((e) => e.data)), /correct horse/, 'the password never reaches the log');
      assert.equal(provisioned.metadata.actor, 'admin');
      assert.equal(provisioned.metadata.correlationId, credentials.metadata.correlationId);
    });

    it('answers bad input with 400 and issue paths, and writes nothing', async () => {
      const bad = await writesNothing(() => call('POST', '/users', { sipUri: 'alice@example.test', password: '', lineUri: '5550100' }));
      assert.equal(bad.status, 400);
      assert.equal(errorOf(bad).error, 'bad_request');
      assert.deepEqual(errorOf(bad).issues?.map((i) => i.path).sort(), ['lineUri', 'password', 'sipUri']);

      const unknownField = await writesNothing(() => call('PATCH', userPath('sip:dave@example.test'), { displayName: 'D', colour: 'red' }));
      assert.equal(unknownField.status, 400);
      assert.ok(errorOf(unknownField).issues?.some((i) => i.message.includes('colour')), JSON.stringify(unknownField.body));

      const badPath = await writesNothing(() => call('PATCH', userPath('sip:Dave@Example.TEST'), { displayName: 'D' }));
      assert.equal(badPath.status, 400);
      assert.deepEqual(errorOf(badPath).issues?.map((i) => i.path), ['sipUri']);

      const badNested = await writesNothing(() =>
        call('PUT', voiceConfigPath('dialplan', 'Redmond'), { rules: [{ pattern: '^(\\d{4})$' }] }),
      );
      assert.equal(badNested.status, 400);
      assert.deepEqual(errorOf(badNested).issues?.map((i) => i.path), ['rules.0.translation']);
    });

    it('answers 401 without the admin token, and writes nothing', async () => {
      const res = await writesNothing(() => call('POST', '/users', { sipUri: 'sip:mallory@example.test', password: 'x' }, null));
      assert.equal(res.status, 401);
      const wrong = await writesNothing(() => call('DELETE', userPath('sip:dave@example.test'), undefined, 'not-the-token-at-all'));
      assert.equal(wrong.status, 401);
    });

    it('answers 404 not_provisioned for an unknown user, and writes nothing', async () => {
      for (const [method, path, body] of [
        ['PATCH', userPath('sip:nobody@example.test'), { displayName: 'Nobody' }],
        ['DELETE', userPath('sip:nobody@example.test'), undefined],
        ['PUT', userPath('sip:nobody@example.test', 'credentials'), { password: 'pw' }],
        ['PUT', userPath('sip:nobody@example.test', 'presence'), { availability: 'busy' }],
        ['PUT', userPath('sip:nobody@example.test', 'delegates'), { delegates: [] }],
        ['POST', '/im/messages', { from: 'sip:dave@example.test', to: ['sip:nobody@example.test'], body: 'hi' }],
        ['POST', '/conferences', { organizer: 'sip:nobody@example.test', startsAt: inAnHour(1), endsAt: inAnHour(2) }],
      ] as const) {
        const res = await writesNothing(() => call(method, path, body));
        assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(errorOf(res).error, 'not_provisioned');
      }
    });

    it('answers 409 already_provisioned for a second POST of the same user, and writes nothing', async () => {
      const res = await writesNothing(() => call('POST', '/users', { sipUri: 'sip:dave@example.test', password: 'other' }));
      assert.equal(res.status, 409);
      assert.equal(errorOf(res).error, 'already_provisioned');

      // A refusal of any command in the request writes none of them (provision and credentials are one append).
      const noLine = await writesNothing(() =>
        call('POST', '/users', { sipUri: 'sip:kim@example.test', password: 'pw', enterpriseVoiceEnabled: true }),
      );
      assert.deepEqual({ status: noLine.status, error: errorOf(noLine).error }, { status: 422, error: 'line_uri_required' });
      assert.deepEqual(await typesIn('user-kim@example.test'), []);
    });

    it('PATCH, credentials and presence write their events; a no-op answers the head and writes nothing', async () => {
      await provision('frank');
      const patched = WriteAcceptedSchema.parse((await call('PATCH', userPath('sip:frank@example.test'), { displayName: 'Frank F.' })).body);
      assert.equal(patched.written, true);
      const again = await writesNothing(() => call('PATCH', userPath('sip:frank@example.test'), { displayName: 'Frank F.' }));
      assert.equal(again.status, 200);
      assert.deepEqual(WriteAcceptedSchema.parse(again.body), { position: String(await head()), written: false });

      assert.equal((await call('PUT', userPath('sip:frank@example.test', 'credentials'), { password: 'new one' })).status, 200);
      const presence = await call('PUT', userPath('sip:frank@example.test', 'presence'), { availability: 'busy', note: 'in a meeting' });
      assert.equal(presence.status, 200, JSON.stringify(presence.body));
      assert.equal((await call('DELETE', userPath('sip:frank@example.test', 'presence'))).status, 200);

      const events = await edition.store.readStream('user-frank@example.test');
      assert.deepEqual(events.map((e) => e.type), [
        'directory.user_provisioned.v1',
        'directory.credentials_set.v1',
        'directory.user_updated.v1',
        'directory.credentials_set.v1',
        'presence.user_state_set.v1',
        'presence.user_state_cleared.v1',
      ]);
      const set = events[4];
      assert.ok(set?.type === 'presence.user_state_set.v1');
      assert.deepEqual({ availability: set.data.availability, note: set.data.note }, { availability: 'busy', note: 'in a meeting' });
      const rotated = events[3];
      assert.ok(rotated?.type === 'directory.credentials_set.v1');
      assert.equal(rotated.data.ha1Md5, computeHa1('frank', 'example.test', 'new one').ha1Md5);
    });

    it('DELETE retires the user: the address answers 410 deprovisioned afterwards', async () => {
      await provision('gina');
      const deleted = await call('DELETE', `${userPath('sip:gina@example.test')}?reason=left%20the%20company`);
      assert.equal(deleted.status, 200);
      const [, , retired] = await edition.store.readStream('user-gina@example.test');
      assert.ok(retired?.type === 'directory.user_deprovisioned.v1');
      assert.equal(retired.data.reason, 'left the company');
      const again = await writesNothing(() => call('POST', '/users', { sipUri: 'sip:gina@example.test', password: 'x' }));
      assert.equal(again.status, 410);
      assert.equal(errorOf(again).error, 'deprovisioned');
    });

    it('voice configuration: PUT defines (201), replaces (200), repeats (200, nothing written); DELETE removes, then 404', async () => {
      const path = voiceConfigPath('gateway', 'gw1');
      const created = await call('PUT', path, { address: 'gw1.example.test:5067', transport: 'tcp' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const replaced = await call('PUT', path, { address: 'gw1.example.test:5068', transport: 'tcp' });
      assert.equal(replaced.status, 200);
      const same = await writesNothing(() => call('PUT', path, { address: 'gw1.example.test:5068', transport: 'tcp' }));
      assert.deepEqual({ status: same.status, written: WriteAcceptedSchema.parse(same.body).written }, { status: 200, written: false });
      assert.equal((await call('DELETE', path)).status, 200);
      const gone = await writesNothing(() => call('DELETE', path));
      assert.deepEqual({ status: gone.status, error: errorOf(gone).error }, { status: 404, error: 'not_defined' });
      assert.deepEqual(await typesIn('voiceconfig-gateway-gw1'), [
        'voice.gateway_defined.v1',
        'voice.gateway_updated.v1',
        'voice.gateway_removed.v1',
      ]);

      const plan = await call('PUT', voiceConfigPath('dialplan', 'Redmond'), {
        description: 'four-digit extensions',
        rules: [{ pattern: '^(\\d{4})$', translation: '+1425555$1' }],
      });
      assert.equal(plan.status, 201, JSON.stringify(plan.body));
      const route = await call('PUT', voiceConfigPath('pstnroute', 'Local'), {
        priority: 1,
        numberPattern: '^\\+1425',
        pstnUsages: ['Local'],
        gateways: ['gw1'],
      });
      assert.equal(route.status, 201, JSON.stringify(route.body));
      const badRegex = await writesNothing(() =>
        call('PUT', voiceConfigPath('pstnroute', 'Broken'), { priority: 1, numberPattern: '([', pstnUsages: ['Local'], gateways: ['gw1'] }),
      );
      assert.deepEqual({ status: badRegex.status, error: errorOf(badRegex).error }, { status: 422, error: 'invalid_regex' });
    });

    it('voice features follow the user\'s voice policy: 403 feature_not_allowed, 200 when allowed, 409 without Enterprise Voice', async () => {
      const policy = await call('PUT', voiceConfigPath('voicepolicy', 'NoForwarding'), {
        pstnUsages: ['Local'],
        features: { forwarding: false, simultaneousRing: true, delegation: true, teamCall: true, callPark: false },
      });
      assert.equal(policy.status, 201, JSON.stringify(policy.body));
      await provision('hank', { lineUri: 'tel:+15550109001', enterpriseVoiceEnabled: true, voicePolicy: 'NoForwarding' });
      await provision('ivy');

      const forward = await writesNothing(() =>
        call('PUT', userPath('sip:hank@example.test', 'forwarding'), { immediate: 'tel:+15550109002' }),
      );
      assert.deepEqual({ status: forward.status, error: errorOf(forward).error }, { status: 403, error: 'feature_not_allowed' });

      const ring = await call('PUT', userPath('sip:hank@example.test', 'simultaneous-ring'), { targets: ['tel:+15550109002'] });
      assert.equal(ring.status, 200, JSON.stringify(ring.body));
      assert.equal((await call('PUT', userPath('sip:hank@example.test', 'delegates'), { delegates: ['sip:ivy@example.test'] })).status, 200);
      assert.equal(
        (await call('PUT', userPath('sip:hank@example.test', 'team-call'), { members: ['sip:ivy@example.test'], ringAfterSeconds: 5 })).status,
        200,
      );
      const self = await writesNothing(() => call('PUT', userPath('sip:hank@example.test', 'delegates'), { delegates: ['sip:hank@example.test'] }));
      assert.deepEqual({ status: self.status, error: errorOf(self).error }, { status: 422, error: 'invalid_target' });

      const noVoice = await writesNothing(() => call('PUT', userPath('sip:ivy@example.test', 'forwarding'), { busy: 'sip:hank@example.test' }));
      assert.deepEqual({ status: noVoice.status, error: errorOf(noVoice).error }, { status: 409, error: 'voice_not_enabled' });

      assert.deepEqual((await typesIn('user-hank@example.test')).slice(2), [
        'voice.simultaneous_ring_set.v1',
        'voice.delegates_set.v1',
        'voice.team_call_set.v1',
      ]);
    });

    it('POST /im/messages starts a session with its first message in one append; without archiving the text is not kept', async () => {
      await provision('jack');
      const res = await call('POST', '/im/messages', { from: 'sip:jack@example.test', to: ['sip:dave@example.test'], body: 'lunch?' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const sent = z.object({ sessionId: z.string(), messageId: z.string(), position: z.string(), written: z.boolean() }).parse(res.body);
      const events = await edition.store.readStream(`im-${sent.sessionId}`);
      assert.deepEqual(events.map((e) => e.type), ['im.session_started.v1', 'im.message_sent.v1']);
      assert.equal(sent.position, String(events[1]!.globalPosition));
      const message = events[1];
      assert.ok(message?.type === 'im.message_sent.v1');
      assert.deepEqual(
        { id: message.data.messageId, recipients: message.data.recipients, body: message.data.body, archived: message.data.archived },
        { id: sent.messageId, recipients: ['sip:dave@example.test'], body: null, archived: false },
      );

      const archived = await call('POST', '/im/messages', {
        from: 'sip:jack@example.test',
        to: ['sip:dave@example.test'],
        body: 'kept',
        archive: true,
        sessionId: 'fixed-session-1',
      });
      assert.equal(archived.status, 201);
      const [, kept] = await edition.store.readStream('im-fixed-session-1');
      assert.ok(kept?.type === 'im.message_sent.v1');
      assert.equal(kept.data.body, 'kept');
      const reused = await writesNothing(() =>
        call('POST', '/im/messages', { from: 'sip:jack@example.test', to: ['sip:dave@example.test'], body: 'x', sessionId: 'fixed-session-1' }),
      );
      assert.deepEqual({ status: reused.status, error: errorOf(reused).error }, { status: 409, error: 'session_exists' });
    });

    it('POST /conferences schedules a conference; a schedule that ends before it starts is 422 and writes nothing', async () => {
      const startsAt = inAnHour(1);
      const endsAt = inAnHour(2);
      const res = await call('POST', '/conferences', {
        conferenceId: 'weekly-sync',
        organizer: 'sip:dave@example.test',
        subject: 'Weekly sync',
        startsAt,
        endsAt,
        access: 'lobby',
        pin: '4321',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const [scheduled] = await edition.store.readStream('conference-weekly-sync');
      assert.ok(scheduled?.type === 'conference.scheduled.v1');
      assert.deepEqual(
        { organizer: scheduled.data.organizer, access: scheduled.data.access, pin: scheduled.data.pin, endsAt: scheduled.data.endsAt },
        { organizer: 'sip:dave@example.test', access: 'lobby', pin: '4321', endsAt },
      );
      const backwards = await writesNothing(() =>
        call('POST', '/conferences', { organizer: 'sip:dave@example.test', startsAt: endsAt, endsAt: startsAt }),
      );
      assert.deepEqual({ status: backwards.status, error: errorOf(backwards).error }, { status: 422, error: 'invalid_schedule' });
      const again = await writesNothing(() =>
        call('POST', '/conferences', { conferenceId: 'weekly-sync', organizer: 'sip:dave@example.test', startsAt, endsAt }),
      );
      assert.deepEqual({ status: again.status, error: errorOf(again).error }, { status: 409, error: 'conference_exists' });
    });

    it('documents every write route in /openapi.json', async () => {
      const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) }).parse(
        (await call('GET', '/openapi.json', undefined, null)).body,
      );
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      for (const expected of [
        'POST /users',
        'PATCH /users/{sipUri}',
        'DELETE /users/{sipUri}',
        'PUT /users/{sipUri}/credentials',
        'PUT /users/{sipUri}/presence',
        'DELETE /users/{sipUri}/presence',
        'PUT /users/{sipUri}/forwarding',
        'PUT /users/{sipUri}/simultaneous-ring',
        'PUT /users/{sipUri}/delegates',
        'PUT /users/{sipUri}/team-call',
        'PUT /voice/dial-plans/{name}',
        'DELETE /voice/policies/{name}',
        'PUT /voice/pstn-routes/{name}',
        'PUT /voice/gateways/{name}',
        'POST /im/messages',
        'POST /conferences',
        'GET /projections',
        'POST /projections/{name}/rebuild',
      ])
        assert.ok(operations.includes(expected), `${expected} missing from ${operations.join(', ')}`);
    });

    it('GET /projections reports each projection against the head; a rebuild answers 202 and replays to the head', async () => {
      const target = await head();
      await edition.projections.waitForPosition(target, 30_000);
      const status = ProjectionsStatusSchema.parse((await call('GET', '/projections')).body);
      assert.equal(status.headPosition, String(target));
      const mine = status.projections.find((p) => p.name === 'api_test_users_seen');
      assert.deepEqual({ position: mine?.position, lag: mine?.lag, status: mine?.status }, { position: String(target), lag: 0, status: 'live' });

      const health = z.object({ status: z.string(), checks: z.array(z.object({ name: z.string(), ok: z.boolean() })) }).parse(
        (await call('GET', '/health', undefined, null)).body,
      );
      assert.deepEqual(health.checks.find((c) => c.name === 'projections')?.ok, true);

      const rebuild = await call('POST', '/projections/api_test_users_seen/rebuild');
      assert.deepEqual({ status: rebuild.status, body: rebuild.body }, { status: 202, body: { name: 'api_test_users_seen', status: 'rebuilding' } });
      await waitUntil('the rebuild reached the head', async () => {
        const now = ProjectionsStatusSchema.parse((await call('GET', '/projections')).body);
        const p = now.projections.find((x) => x.name === 'api_test_users_seen');
        return z.object({ state: z.literal('done') }).safeParse(p?.['rebuild']).success && p?.position === String(target);
      }, 60_000);
      const rows = await edition.projections.runner('api_test_users_seen').status();
      assert.equal(rows.state, 'live');

      const unknown = await call('POST', '/projections/no_such_projection/rebuild');
      assert.deepEqual({ status: unknown.status, error: errorOf(unknown).error }, { status: 404, error: 'unknown_projection' });
      const badName = await call('POST', '/projections/Bad%20Name/rebuild');
      assert.equal(badName.status, 400);
    });
  });
}
