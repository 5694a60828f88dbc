import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createHttpServer, type ApiServer } from '../../../src/api/http-server.ts';
import { replayRoutes } from '../../../src/api/routes/replay-routes.ts';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { conferenceDecider } from '../../../src/commands/conference/conference-decider.ts';
import type { ConferenceCommand } from '../../../src/commands/conference/conference-commands.ts';
import { conferenceStreamId } from '../../../src/commands/stream-ids.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { ALICE, BOB, seedAsOfHistory } from '../../support/as-of-history.ts';
import { InMemoryEventStore } from '../../support/in-memory-event-store.ts';
import { runCliInProcess } from '../../support/cli-in-process.ts';

const TOKEN = 'replay-as-of-test-token-0123456789';
const PORT = 17101;
const T0 = Date.parse('2025-03-03T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The as-of routes on a real HTTP server over a log written by the real
 * deciders (clock set by the test, one second per command), and the CLI
 * talking to it.
 */
describe('GET /replay/{conferences,calls,routing}, POST /whatif and their CLI commands', () => {
  let now = T0;
  const clock = () => new Date(now);
  const store = new InMemoryEventStore<DomainEvent>(domainCatalogue, { clock });
  let app: ApiServer;
  let env: NodeJS.ProcessEnv;
  let lockedAt = 0;
  let dir: string;

  const conference = async (command: ConferenceCommand) => {
    now += 1_000;
    await handleCommand({
      store,
      decider: conferenceDecider,
      streamId: conferenceStreamId('weekly'),
      command,
      context: { now: () => iso(now), newId: () => `id-${now}` },
      metadata: { correlationId: 'test', causationId: null, actor: 'test', node: 'test' },
    });
  };

  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${PORT}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const cli = (args: readonly string[]) => runCliInProcess(args, env);

  before(async () => {
    await seedAsOfHistory(store, { rounds: 10, clock, beforeEach: () => (now += 1_000) });
    await conference({
      type: 'ScheduleConference',
      data: { conferenceId: 'weekly', organizer: ALICE, startsAt: iso(now), endsAt: iso(now + 3_600_000) },
    });
    await conference({ type: 'ActivateConference', data: {} });
    await conference({ type: 'JoinConference', data: { participant: ALICE, role: 'presenter', modality: 'audio' } });
    await conference({ type: 'JoinConference', data: { participant: BOB, role: 'attendee', modality: 'audio' } });
    await conference({ type: 'LockConference', data: { by: ALICE } });
    lockedAt = now;
    await conference({ type: 'MuteParticipant', data: { participant: BOB, by: ALICE } });
    app = createHttpServer({
      config: { adminToken: TOKEN, store: 'pglite' },
      version: '0.0.0-test',
      logger: pino({ level: 'silent' }),
      metrics: createMetricsRegistry({ defaultMetrics: false }),
      routes: [replayRoutes({ store })],
    });
    await app.listen({ port: PORT, host: '127.0.0.1' });
    env = { CHORUS_URL: `http://127.0.0.1:${PORT}`, CHORUS_ADMIN_TOKEN: TOKEN };
    dir = await mkdtemp(join(tmpdir(), 'chorus-whatif-'));
  });

  after(() => app.close());

  it('a conference before and after its lock: roster, roles, lock; 404 before it was scheduled; 400 for a bad instant', async () => {
    const before = await get(`/replay/conferences/weekly?at=${encodeURIComponent(iso(lockedAt - 1))}`);
    assert.equal(before.status, 200);
    const state = before.body['state'] as { locked: boolean; roster: { participant: string; role: string }[] };
    assert.equal(state.locked, false);
    assert.deepEqual(state.roster.map((p) => [p.participant, p.role]), [[ALICE, 'presenter'], [BOB, 'attendee']]);

    const afterLock = await get(`/replay/conferences/weekly?at=${encodeURIComponent(iso(lockedAt))}`);
    assert.equal((afterLock.body['state'] as { locked: boolean }).locked, true);

    const early = await get(`/replay/conferences/weekly?at=${encodeURIComponent(iso(T0))}`);
    assert.equal(early.status, 404);
    assert.equal(early.body['error'], 'not_found_at_instant');
    const bad = await get('/replay/conferences/weekly?at=yesterday');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /at/);
  });

  it('a call by SIP Call-ID: its leg and state at an instant; 404 for an unknown call', async () => {
    const call = await get(`/replay/calls/call-0@example.test?at=${encodeURIComponent(iso(now))}`);
    assert.equal(call.status, 200);
    const state = call.body['state'] as { status: string; legs: { route: { kind: string } }[]; caller: string };
    assert.equal(state.caller, ALICE);
    assert.equal(state.status, 'ended');
    assert.deepEqual(state.legs.map((l) => l.route.kind), ['user']);
    assert.equal((await get(`/replay/calls/no-such-call?at=${encodeURIComponent(iso(now))}`)).status, 404);
  });

  it('the routing configuration at an instant; what-if of a call; 404 and 400 for an unknown call and a bad proposal', async () => {
    const routing = await get(`/replay/routing?at=${encodeURIComponent(iso(now))}`);
    assert.equal(routing.status, 200);
    const state = routing.body['state'] as { dialPlans: { name: string }[]; gateways: { name: string }[] };
    assert.deepEqual(state.dialPlans.map((p) => p.name), ['Redmond']);

    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${PORT}/whatif`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await post({ sipCallId: 'call-0@example.test' });
    assert.equal(ok.status, 200);
    const result = (await ok.json()) as { decidedAt: string; alternative: { source: string } };
    assert.equal(result.alternative.source, 'current');
    assert.equal((await post({ sipCallId: 'no-such-call' })).status, 404);
    const bad = await post({ sipCallId: 'call-0@example.test', config: { pstnRoutes: { US: { priority: -1 } } } });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /config\.pstnRoutes\.US/);
  });

  it('the routes are documented in /openapi.json with their parameters', async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${PORT}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ['/replay/conferences/{conferenceId}', 'get'],
      ['/replay/calls/{callId}', 'get'],
      ['/replay/routing', 'get'],
      ['/whatif', 'post'],
    ] as const)
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} in ${Object.keys(doc.paths).join(', ')}`);
  });

  it('chorus replay --conference / --call / --routing print the state; bad or missing targets exit 2 with usage', async () => {
    const conf = await cli(['replay', '--conference', 'weekly', '--at', iso(now)]);
    assert.equal(conf.code, 0, conf.stderr);
    assert.match(conf.stdout, /access\s+locked \(locked\)/);
    assert.match(conf.stdout, /participant\s+sip:bob@example.test attendee \[audio\] muted/);
    const call = await cli(['replay', '--call', 'call-0@example.test', '--at', iso(now)]);
    assert.match(call.stdout, /leg 1\s+user sip:bob@example.test/);
    const routing = await cli(['replay', '--routing', '--at', iso(now), '--json']);
    assert.equal(routing.code, 0);
    assert.equal((JSON.parse(routing.stdout) as { state: { dialPlans: unknown[] } }).state.dialPlans.length, 1);

    for (const args of [
      ['replay', '--routing', '--at', 'yesterday'],
      ['replay', '--at', iso(now)],
      ['replay', '--call', 'x', '--routing', '--at', iso(now)],
      ['replay', '--user', ALICE, '--call', 'x', '--at', iso(now)],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /Usage: chorus replay/);
    }
    const unknown = await cli(['replay', '--call', 'no-such-call', '--at', iso(now)]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404/);
  });

  it('chorus whatif prints the decisions side by side; a bad --config file exits 2 with usage and the issue path', async () => {
    const plain = await cli(['whatif', '--call-id', 'call-0@example.test']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /recorded \(call events\).*│ as of .*│ current configuration/);

    const yaml = join(dir, 'proposal.yaml');
    await writeFile(yaml, 'users:\n  "sip:bob@example.test":\n    forwarding:\n      immediate: "tel:+14255558888"\n');
    const proposed = await cli(['whatif', '--call-id', 'call-0@example.test', '--config', yaml, '--json']);
    assert.equal(proposed.code, 0, proposed.stderr);
    const result = JSON.parse(proposed.stdout) as { alternative: { source: string; changed: boolean; decision: { forwards: unknown[] } } };
    assert.equal(result.alternative.source, 'proposed');
    assert.deepEqual(result.alternative.decision.forwards, [{ reason: 'immediate', from: BOB, to: 'tel:+14255558888' }]);
    assert.equal(result.alternative.changed, true);

    const badFile = join(dir, 'bad.json');
    await writeFile(badFile, JSON.stringify({ dialPlans: { Redmond: { rules: [{ pattern: '([', translation: '' }] } } }));
    const bad = await cli(['whatif', '--call-id', 'call-0@example.test', '--config', badFile]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /dialPlans\.Redmond\.rules\.0\.pattern/);
    assert.match(bad.stderr, /Usage: chorus whatif/);
    const missing = await cli(['whatif', '--call-id', 'call-0@example.test', '--config', join(dir, 'none.json')]);
    assert.equal(missing.code, 2);
    assert.equal((await cli(['whatif'])).code, 2);
  });
});
