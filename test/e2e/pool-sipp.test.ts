/**
 * The Pool edition with real SIP clients: a relay, a projector and two front-end processes
 * (`chorus serve --role …`, the real CLI) on different SIP ports over one PostgreSQL log and a
 * real Kafka broker. Front ends run no projection of their own: whatever one learns of the
 * other's work comes through the relay, the topic and its Kafka-fed views.
 *
 * - bob's SIPp UAS registers (digest) on front end 1; alice's SIPp UAC calls bob through front
 *   end 2: the INVITE reaches the contact registered on front end 1 (200, ACK, BYE), and the log
 *   shows front end 2 routed it to that contact.
 * - dave watches carol through front end 2, erin through front end 1; carol registers and
 *   PUBLISHes on front end 1. Each watcher gets exactly one NOTIFY carrying the new PIDF (a second
 *   one during the watcher's quiet pause fails its scenario): front end 2 notifies a change fed
 *   from Kafka, and front end 1, which made the change, does not notify it twice.
 * - Readiness: every role's /health reports its lag; with the relay stopped, a write shows as lag
 *   on the projector and on both front ends, and drains to 0 once a relay runs again.
 *
 * Needs KAFKA_BROKERS and DATABASE_URL (skipped with the reason otherwise; CI sets both) and
 * SIPp. SIPp answers only MD5 challenges, the edition's default.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { userRegistrationsPath, UserRegistrationsSchema } from '../../src/api/contract/registrations-query-contract.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openEventStorage, type EventStorage } from '../../src/edition/event-storage.ts';
import type { DomainEvent } from '../../src/events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { domainProjections } from '../../src/projections/domain-projections.ts';
import { createSchema, deleteTopic, KAFKA_BROKERS, poolSkip, runId, type TestSchema } from '../support/kafka/pool-harness.ts';
import { RoleProcess, roleEnv, roleHealth } from '../support/kafka/role-process.ts';
import { describeSippResult, freePort, SippProcess, type InjectionRow, type SippOptions, type SippResult } from '../support/sipp/index.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { waitUntil } from '../support/wait-until.ts';
import { sippUnavailableReason } from './e2e-harness.ts';

const ADMIN_TOKEN = 'pool-sipp-test-admin-token';
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const DOMAIN = 'pool-sipp.test';
const PASSWORD = 'pool-Secret-42';
const scenario = (name: string) => ({ file: fileURLToPath(new URL(`./scenarios/${name}.xml`, import.meta.url)) });
const uri = (user: string): string => `sip:${user}@${DOMAIN}`;
const rows = (users: readonly string[], target?: string): InjectionRow[] =>
  users.map((user) => ({ user, domain: DOMAIN, password: PASSWORD, ...(target ? { target } : {}) }));

function assertSucceeded(result: SippResult, calls = 1): void {
  const why = describeSippResult(result);
  assert.equal(result.exitCode, 0, why);
  assert.equal(result.counters?.successful, calls, why);
  assert.equal(result.counters?.failed, 0, why);
}

/** A front end: its HTTP API and the SIP port it was told to listen on. */
interface FrontEnd {
  readonly name: string;
  readonly process: RoleProcess;
  readonly sipPort: number;
  url: string;
}

const skip = sippUnavailableReason() ?? poolSkip;

describe('Pool edition with SIPp: two front ends over one log and Kafka', { skip, timeout: 150_000 }, () => {
  const run = runId();
  const topic = `chorus-test-pool-sipp-${run}`;
  let schema: TestSchema;
  /** The log as the server opens it (openEventStorage: whatever the server decodes, the test reads the same way). */
  let storage: EventStorage;
  let relay: RoleProcess;
  let relayUrl: string;
  let projectorUrl: string;
  const processes: RoleProcess[] = [];
  const fe: FrontEnd[] = [];
  let fe1: FrontEnd;
  let fe2: FrontEnd;

  const env = (node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    roleEnv({
      CHORUS_STORE: 'postgres',
      DATABASE_URL: schema.url,
      KAFKA_BROKERS: KAFKA_BROKERS ?? '',
      CHORUS_KAFKA_TOPIC: topic,
      CHORUS_KAFKA_CLIENT_ID: `chorus-test-pool-sipp-${run}`,
      CHORUS_KAFKA_CONNECT_TIMEOUT_MS: '20000',
      CHORUS_KAFKA_SESSION_TIMEOUT_MS: '6000',
      CHORUS_ADMIN_TOKEN: ADMIN_TOKEN,
      CHORUS_DEMO: 'off',
      CHORUS_DOMAIN: DOMAIN,
      CHORUS_NODE_ID: `${node}-${run}`,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      SIP_PORT: '0',
      SIP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...extra,
    });
  const startRelay = (): RoleProcess => {
    const p = new RoleProcess('relay', 'relay', env('relay', { CHORUS_KAFKA_CREATE_TOPIC: 'true', LOG_LEVEL: 'info' }));
    processes.push(p);
    return p;
  };

  const api = async (at: FrontEnd, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> =>
    fetch(`${at.url}${path}`, {
      method,
      headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const contactsAt = async (at: FrontEnd, user: string): Promise<string[]> => {
    const response = await api(at, 'GET', userRegistrationsPath(uri(user)));
    if (response.status !== 200) return [];
    return UserRegistrationsSchema.parse(await response.json()).registrations.map((r) => r.contact);
  };
  const sipp = (at: FrontEnd, options: SippOptions): Promise<SippResult> =>
    SippProcess.run({ remote: { host: '127.0.0.1', port: at.sipPort }, logger: silentLogger, timeoutMs: 30_000, ...options });
  /** Registers `user` on `at` from SIPp port `localPort`, then waits until every front end's view holds the contact. */
  const register = async (at: FrontEnd, user: string, localPort: number): Promise<string> => {
    assertSucceeded(await sipp(at, { scenario: 'register', injection: rows([user]), localPort }));
    const contact = `sip:${user}@127.0.0.1:${localPort};transport=UDP`;
    for (const f of fe) await waitUntil(`${f.name} sees ${user}'s contact`, async () => (await contactsAt(f, user)).includes(contact), 30_000);
    return contact;
  };
  let readUpTo = 0n;
  const logEvents: RecordedEvent<DomainEvent>[] = [];
  const events = async (): Promise<readonly RecordedEvent<DomainEvent>[]> => {
    for (;;) {
      const page = await storage.store.readAll({ after: readUpTo, limit: 1_000 });
      if (page.length === 0) return logEvents;
      readUpTo = page.at(-1)!.globalPosition;
      logEvents.push(...page);
    }
  };
  const dataOf = (e: RecordedEvent<DomainEvent>): Record<string, unknown> => e.data as Record<string, unknown>;

  before(async () => {
    schema = await createSchema('chorus_pool_sipp');
    storage = await openEventStorage(loadConfig({ CHORUS_STORE: 'postgres', DATABASE_URL: schema.url }));
    relay = startRelay();
    relayUrl = await relay.url;
    const projector = new RoleProcess('projector', 'projector', env('projector', { LOG_LEVEL: 'info' }));
    processes.push(projector);
    for (const name of ['fe1', 'fe2']) {
      const sipPort = await freePort();
      const p = new RoleProcess(name, 'frontend', env(name, { SIP_PORT: String(sipPort), LOG_LEVEL: 'info' }));
      processes.push(p);
      fe.push({ name, process: p, sipPort, url: '' });
    }
    [projectorUrl] = await Promise.all([projector.url, ...fe.map(async (f) => (f.url = await f.process.url))]);
    [fe1, fe2] = fe as [FrontEnd, FrontEnd];

    // Provisioned through front end 1 only; each front end learns the users from Kafka.
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
    for (const user of users) {
      const created = await api(fe1, 'POST', '/users', { sipUri: uri(user), password: PASSWORD });
      assert.equal(created.status, 201, await created.text());
    }
    for (const f of fe)
      for (const user of users)
        await waitUntil(`${f.name} knows ${user}`, async () => (await api(f, 'GET', `/users/${encodeURIComponent(uri(user))}/presence`)).status === 200, 30_000);
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await storage?.close();
    await schema?.drop();
    await deleteTopic(topic);
  });

  it('bob registers on front end 1; alice calls him through front end 2: the INVITE reaches his contact, 200, ACK, BYE', async () => {
    const bobPort = await freePort();
    const contact = await register(fe1, 'bob', bobPort);
    const uas = await SippProcess.start({ scenario: 'uas-answer', localPort: bobPort, calls: 1, logger: silentLogger });
    try {
      assertSucceeded(await sipp(fe2, { scenario: 'uac-call', injection: rows(['alice'], 'bob'), pauseMs: 200 }));
      assertSucceeded(await uas.done);
    } finally {
      await uas.close();
    }

    const callEvents = async (): Promise<RecordedEvent<DomainEvent>[]> => (await events()).filter((e) => e.type.startsWith('call.'));
    await waitUntil('call.ended in the log', async () => (await callEvents()).some((e) => e.type === 'call.ended.v1'), 15_000);
    const calls = await callEvents();
    assert.deepEqual(
      calls.map((e) => e.type.replace(/^call\.|\.v1$/g, '')),
      ['initiated', 'routed', 'ringing', 'answered', 'ended'],
    );
    const routed = dataOf(calls[1]!);
    assert.deepEqual(routed['route'], { kind: 'user', target: uri('bob'), contacts: [contact] });
    assert.equal(dataOf(calls[0]!)['caller'], uri('alice'));
    assert.equal(dataOf(calls[4]!)['cause'], 'completed');
    // The call was handled by front end 2; bob's binding was written by front end 1.
    assert.ok(calls.every((e) => e.metadata.node === `fe2-${run}`), JSON.stringify(calls.map((e) => e.metadata.node)));
    const registered = (await events()).find((e) => e.type === 'endpoint.registered.v1' && dataOf(e)['sipUri'] === uri('bob'));
    assert.equal(registered?.metadata.node, `fe1-${run}`);
  });

  it('carol PUBLISHes on front end 1: dave (watching through front end 2) and erin (through front end 1) each get one NOTIFY with the new PIDF', async () => {
    const watch = (at: FrontEnd, watcher: string): Promise<SippProcess> =>
      SippProcess.start({
        scenario: scenario('subscribe-change-then-quiet'),
        remote: { host: '127.0.0.1', port: at.sipPort },
        injection: rows([watcher], 'carol'),
        // The quiet pause after the change: a duplicate NOTIFY arriving in it fails the watcher.
        pauseMs: 3_000,
        logger: silentLogger,
        timeoutMs: 60_000,
        recvTimeoutMs: 30_000,
        traceMessages: true,
      });
    const subscribed = async (): Promise<number> => (await events()).filter((e) => e.type === 'presence.watcher_subscribed.v1').length;
    const dave = await watch(fe2, 'dave');
    const erin = await watch(fe1, 'erin');
    try {
      await waitUntil('both watchers subscribed', async () => (await subscribed()) === 2, 20_000);
      const carolPort = await freePort();
      // Front end 1 credits the PUBLISH to carol's binding through its (Kafka-fed) location view: register() waits for it.
      await register(fe1, 'carol', carolPort);
      assertSucceeded(await sipp(fe1, { scenario: scenario('publish-once'), localPort: carolPort, injection: rows(['carol']), keys: { expires: '600', note: 'e2e-changed' } }));
      const [daveResult, erinResult] = await Promise.all([dave.done, erin.done]);
      assertSucceeded(daveResult);
      assertSucceeded(erinResult);
      for (const [who, result] of [['dave', daveResult], ['erin', erinResult]] as const) {
        const notifies = result.messages.split(/\n(?=-+ )/).filter((m) => /^NOTIFY sip:/m.test(m) && /Subscription-State: active/i.test(m));
        const changed = notifies.filter((m) => m.includes('e2e-changed'));
        assert.equal(changed.length, 1, `${who}: one active NOTIFY carries the change:\n${changed.join('\n')}`);
        assert.match(changed[0]!, /<presence[^>]*entity="sip:carol@pool-sipp\.test"/);
        assert.match(changed[0]!, /Content-Type: application\/pidf\+xml/i);
      }
    } finally {
      await dave.close();
      await erin.close();
    }
    const published = (await events()).filter((e) => e.type === 'presence.published.v1');
    assert.equal(published.length, 1);
    assert.equal(published[0]!.metadata.node, `fe1-${run}`);
    const subscriptions = (await events()).filter((e) => e.type === 'presence.watcher_subscribed.v1');
    assert.deepEqual(
      subscriptions.map((e) => [dataOf(e)['watcherUri'], e.metadata.node]).sort(),
      [[uri('dave'), `fe2-${run}`], [uri('erin'), `fe1-${run}`]],
    );
  });

  it('readiness: each role reports its lag; with the relay stopped a write shows as lag on the projector and both front ends, then drains', async () => {
    const details = async (url: string): Promise<string[]> => {
      const h = await roleHealth(url);
      assert.equal(h.httpStatus, h.body.status === 'ok' ? 200 : 503);
      return h.body.checks.map((c) => `${c.name}: ${c.detail ?? ''}`);
    };
    await waitUntil('everything caught up', async () => {
      const all = [...(await details(relayUrl)), ...(await details(projectorUrl)), ...(await details(fe1.url)), ...(await details(fe2.url))];
      return all.every((d) => /lag 0 events/.test(d));
    }, 30_000);
    assert.match((await details(relayUrl))[0]!, /^relay: lag 0 events \(published \d+ of \d+ to /);
    assert.match((await details(projectorUrl))[0]!, new RegExp(`^projector: runs ${domainProjections.length} of ${domainProjections.length} projections; max lag 0 events`));
    for (const f of fe) assert.match((await details(f.url))[0]!, /^projections: max lag 0 events/);

    assert.equal(await relay.stop(), 0, relay.stderr);
    const before = await storage.store.headPosition();
    const created = await api(fe1, 'POST', '/users', { sipUri: uri('frank'), password: PASSWORD });
    assert.equal(created.status, 201);
    const lag = Number((await storage.store.headPosition()) - before);
    assert.ok(lag >= 1);
    // Nothing carries the write to Kafka now: every consumer's lag is the events it has not seen.
    assert.match((await details(projectorUrl))[0]!, new RegExp(`max lag ${lag} events`));
    for (const f of fe) assert.match((await details(f.url))[0]!, new RegExp(`^projections: max lag ${lag} events`));

    relay = startRelay();
    relayUrl = await relay.url;
    await waitUntil('the new relay drained the lag everywhere', async () => {
      const all = [...(await details(relayUrl)), ...(await details(projectorUrl)), ...(await details(fe1.url)), ...(await details(fe2.url))];
      return all.every((d) => /lag 0 events/.test(d));
    }, 30_000);
    assert.equal((await api(fe2, 'GET', `/users/${encodeURIComponent(uri('frank'))}/presence`)).status, 200);

    for (const p of [fe2.process, fe1.process, ...processes.filter((x) => x.name === 'projector'), relay])
      assert.equal(await p.stop(), 0, `${p.name} stopped cleanly: ${p.stderr}`);
  });
});
