import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleCommand } from '../../../../src/commands/command-handler.ts';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import { userStreamId } from '../../../../src/commands/stream-ids.ts';
import type { UserCommand } from '../../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { AuthOutcome } from '../../../../src/realtime/auth/digest-authenticator.ts';
import { EventStoreBindingLedger } from '../../../../src/realtime/registrar/event-store-binding-ledger.ts';
import { ExpirySweeper, type DueBindingsReader } from '../../../../src/realtime/registrar/expiry-sweeper.ts';
import { Registrar, type RegisterTransaction } from '../../../../src/realtime/registrar/registrar.ts';
import { parseMessage } from '../../../../src/realtime/sip/parser.ts';
import { checkRequest } from '../../../../src/realtime/sip/sanity.ts';
import type { ReplyOptions } from '../../../../src/realtime/sip/sip-engine.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

const AOR = 'sip:alice@example.test';
const T0 = Date.parse('2026-03-01T12:00:00Z');

function world() {
  let now = T0;
  const clock = () => new Date(now);
  const store = new InMemoryEventStore<DomainEvent>(domainCatalogue);
  let n = 0;
  const ledger = new EventStoreBindingLedger({ store, now: clock, newId: () => `ep-${++n}` });
  const meta = { correlationId: 'c', causationId: null, actor: 'a', node: 'n' };
  const run = (command: UserCommand) =>
    handleCommand({ store, decider: userDecider, streamId: userStreamId(AOR), command, context: { now: () => clock().toISOString(), newId: () => `id-${++n}` }, metadata: meta });
  const types = async () => (await store.readStream(userStreamId(AOR))).map((e) => e.type).filter((t) => t.startsWith('endpoint.'));
  let authOutcome: AuthOutcome = { kind: 'authorized', username: 'alice', realm: 'example.test', algorithm: 'SHA-256' };
  const registrar = new Registrar({
    authenticator: { authenticate: () => authOutcome },
    ledger,
    now: clock,
    logger: silentLogger,
  });
  return {
    store,
    ledger,
    registrar,
    run,
    types,
    advance: (ms: number) => (now += ms),
    clock,
    setAuth: (o: AuthOutcome) => (authOutcome = o),
  };
}

type Answer = { status: number; reason: string | undefined; options: ReplyOptions | undefined };

function register(lines: string[], cseq = 1, callId = 'call-1'): { tx: RegisterTransaction; answers: Answer[] } {
  const text = [
    'REGISTER sip:example.test SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc',
    'Max-Forwards: 70',
    'From: <sip:alice@example.test>;tag=1',
    'To: <sip:alice@example.test>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    ...lines,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text), { mode: 'datagram', maxMessageSize: 65536 });
  assert.ok(parsed.ok && parsed.value.kind === 'request');
  const core = checkRequest(parsed.value, { supportedOptionTags: new Set(), enforceRequire: true });
  assert.ok(core.ok);
  const answers: Answer[] = [];
  const tx: RegisterTransaction = {
    request: parsed.value,
    core: core.value,
    source: { protocol: 'udp', address: '192.0.2.10', port: 5060, flowId: 'udp:192.0.2.10:5060', localAddress: '127.0.0.1', localPort: 5060 },
    reply: (status, reason, options) => {
      answers.push({ status, reason, options });
      return true;
    },
  };
  return { tx, answers };
}

async function provision(w: ReturnType<typeof world>, maxEndpoints = 8) {
  await w.run({ type: 'ProvisionUser', data: { sipUri: AOR, displayName: 'Alice', maxEndpoints } });
}

describe('Registrar (unit, in-memory log)', () => {
  it('applies several contacts of one REGISTER in one append, or none when one breaks the endpoint limit', async () => {
    const w = world();
    await provision(w, 2);
    let appends = 0;
    const append = w.store.append.bind(w.store);
    w.store.append = (...args) => {
      appends++;
      return append(...args);
    };
    const ok = register(['Contact: <sip:alice@192.0.2.10:5060>, <sip:alice@192.0.2.10:5062>']);
    await w.registrar.handle(ok.tx);
    assert.equal(ok.answers[0]?.status, 200);
    assert.equal(appends, 1, 'one REGISTER, one append');
    const versions = await w.types();
    assert.deepEqual(versions, ['endpoint.registered.v1', 'endpoint.registered.v1']);

    const tooMany = register(['Contact: <sip:alice@192.0.2.10:5060>;expires=0, <sip:alice@192.0.2.11:5060>, <sip:alice@192.0.2.12:5060>'], 2);
    await w.registrar.handle(tooMany.tx);
    assert.equal(tooMany.answers[0]?.status, 403);
    assert.equal(tooMany.answers[0]?.reason, 'Too Many Registrations');
    assert.deepEqual(await w.types(), versions, 'the unregister in the same REGISTER was not applied either');
  });

  it('answers an out-of-order REGISTER of the same Call-ID with 500 and writes nothing', async () => {
    const w = world();
    await provision(w);
    const first = register(['Contact: <sip:alice@192.0.2.10:5060>'], 5);
    await w.registrar.handle(first.tx);
    assert.equal(first.answers[0]?.status, 200);
    const stale = register(['Contact: <sip:alice@192.0.2.10:5060>;expires=0'], 4);
    await w.registrar.handle(stale.tx);
    assert.equal(stale.answers[0]?.status, 500);
    assert.deepEqual(await w.types(), ['endpoint.registered.v1']);
  });

  it('answers a query (no Contact) with the current bindings and their seconds left', async () => {
    const w = world();
    await provision(w);
    await w.registrar.handle(register(['Contact: <sip:alice@192.0.2.10:5060>;expires=120']).tx);
    w.advance(20_000);
    const q = register([], 2);
    await w.registrar.handle(q.tx);
    assert.equal(q.answers[0]?.status, 200);
    assert.deepEqual(q.answers[0]?.options?.headers?.filter(([n]) => n === 'Contact'), [['Contact', '<sip:alice@192.0.2.10:5060>;expires=100']]);
  });

  it('maps authentication outcomes: challenge → its status and headers, forbidden → 403, malformed → 400', async () => {
    const w = world();
    await provision(w);
    w.setAuth({ kind: 'challenge', status: 401, headers: [['WWW-Authenticate', 'Digest realm="x", nonce="y"']], reason: 'no-credentials' });
    const c = register(['Contact: <sip:alice@192.0.2.10:5060>']);
    await w.registrar.handle(c.tx);
    assert.equal(c.answers[0]?.status, 401);
    assert.deepEqual(c.answers[0]?.options?.headers, [['WWW-Authenticate', 'Digest realm="x", nonce="y"']]);
    w.setAuth({ kind: 'forbidden', reason: 'r' });
    const f = register(['Contact: <sip:alice@192.0.2.10:5060>'], 2);
    await w.registrar.handle(f.tx);
    assert.equal(f.answers[0]?.status, 403);
    w.setAuth({ kind: 'malformed', reason: 'Malformed Authorization Header' });
    const m = register(['Contact: <sip:alice@192.0.2.10:5060>'], 3);
    await w.registrar.handle(m.tx);
    assert.equal(m.answers[0]?.status, 400);
    assert.deepEqual(await w.types(), []);
  });

  it('answers 404 for an unprovisioned user and 500 when the log fails, acknowledging nothing', async () => {
    const w = world();
    const missing = register(['Contact: <sip:alice@192.0.2.10:5060>']);
    await w.registrar.handle(missing.tx);
    assert.equal(missing.answers[0]?.status, 404);
    const failing = new Registrar({
      authenticator: { authenticate: () => ({ kind: 'authorized', username: 'alice', realm: 'r', algorithm: 'MD5' }) },
      ledger: { apply: () => Promise.reject(new Error('disk on fire')), sweep: () => Promise.resolve([]) },
      logger: silentLogger,
    });
    const broken = register(['Contact: <sip:alice@192.0.2.10:5060>']);
    await failing.handle(broken.tx);
    assert.deepEqual(broken.answers.map((a) => a.status), [500]);
  });

  it('reports a decider DomainError other than the mapped ones as 500', async () => {
    const failing = new Registrar({
      authenticator: { authenticate: () => ({ kind: 'authorized', username: 'alice', realm: 'r', algorithm: 'MD5' }) },
      ledger: { apply: () => Promise.reject(new DomainError('etag_mismatch', 'x')), sweep: () => Promise.resolve([]) },
      logger: silentLogger,
    });
    const r = register(['Contact: <sip:alice@192.0.2.10:5060>']);
    await failing.handle(r.tx);
    assert.equal(r.answers[0]?.status, 500);
  });
});

describe('ExpirySweeper', () => {
  it('sends SweepExpired for due users: endpoint.expired.v1 in the log, and nothing for a user not yet due', async () => {
    const w = world();
    await provision(w);
    const r = register(['Contact: <sip:alice@192.0.2.10:5060>;expires=60']);
    await w.registrar.handle(r.tx);
    assert.equal(r.answers[0]?.status, 200);
    const due: DueBindingsReader = { aorsWithBindingsDueBy: () => [AOR] };
    const sweeper = new ExpirySweeper({ due, ledger: w.ledger, now: w.clock, logger: silentLogger });
    const swept: string[] = [];
    sweeper.on('swept', (aor, events) => swept.push(`${aor}:${events.map((e) => e.type).join(',')}`));
    try {
      await sweeper.sweepNow();
      assert.deepEqual(await w.types(), ['endpoint.registered.v1'], 'not due yet: nothing written');
      w.advance(61_000);
      await sweeper.sweepNow();
      assert.deepEqual(await w.types(), ['endpoint.registered.v1', 'endpoint.expired.v1']);
      assert.deepEqual(swept, [`${AOR}:endpoint.expired.v1`]);
      await sweeper.sweepNow();
      assert.equal((await w.types()).length, 2, 'sweeping again writes nothing');
    } finally {
      await sweeper.close();
      await sweeper.close();
    }
  });

  it('runs on its timer and reports a failing user without stopping', async () => {
    const failures: string[] = [];
    let calls = 0;
    const sweeper = new ExpirySweeper({
      due: { aorsWithBindingsDueBy: () => ['sip:x@example.test', 'sip:y@example.test'] },
      ledger: {
        apply: () => Promise.reject(new Error('unused')),
        sweep: (aor) => {
          calls++;
          return aor === 'sip:x@example.test' ? Promise.reject(new Error('boom')) : Promise.resolve([]);
        },
      },
      intervalMs: 5,
      logger: silentLogger,
    });
    sweeper.on('failed', (aor) => failures.push(aor));
    sweeper.start();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (calls >= 4) {
          clearInterval(check);
          resolve();
        }
      }, 2);
    });
    await sweeper.close();
    assert.ok(failures.length >= 2);
    assert.ok(failures.every((a) => a === 'sip:x@example.test'));
  });
});
