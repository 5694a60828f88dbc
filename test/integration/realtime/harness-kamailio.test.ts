/**
 * The real-SIP-client harness (SIPp, test/support/sipp) proven against a real registrar/proxy:
 * Kamailio with digest auth and write-through location in PostgreSQL (infra/kamailio). Every
 * scenario that Kamailio can serve runs here: register/unregister (UDP and TCP), calls through the
 * proxy to a SIPp UAS, calls to a number sent to a SIPp PSTN gateway, CANCEL of a ringing call,
 * MESSAGE; plus a wrong password, to show that a failing scenario is reported as failed.
 * (PUBLISH/SUBSCRIBE need Kamailio's presence modules, not installed; they run against Chorus.)
 *
 * Needs kamailio + kamailio-postgres-modules, sipp and DATABASE_URL (Kamailio gets its own
 * database, DATABASE_URL's name + "_kamailio"); otherwise the suite is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { KamailioPeer, kamailioSubscriber, kamailioUnavailableReason } from '../../support/kamailio/kamailio-peer.ts';
import { describeSippResult, freePort, SippProcess, type InjectionRow, type SippOptions, type SippResult } from '../../support/sipp/index.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const DATABASE_URL = process.env['DATABASE_URL'];

function sippUnavailableReason(): string | undefined {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    // `sipp -v` exits non-zero after printing its version; only a missing binary is a problem.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'sipp is not installed (apt-get install sip-tester)' : undefined;
  }
}

const skip = kamailioUnavailableReason() ?? sippUnavailableReason() ?? (DATABASE_URL ? undefined : 'DATABASE_URL not set (Kamailio keeps subscribers and bindings in PostgreSQL)');

/** Subscribers 1..100 register in bulk; 101.. are callees and a caller for the call scenarios. */
const BULK_USERS = 100;
const CALLER = 101;
const CALLEE = 102;
const RINGING_CALLEE = 103;
const MESSAGE_RECIPIENT = 104;
const TCP_USERS_FROM = 105;
const TCP_USERS = 5;
const WRONG_PASSWORD_USER = 110;

function assertAllSucceeded(result: SippResult, calls: number): void {
  const why = describeSippResult(result);
  assert.equal(result.exitCode, 0, why);
  assert.equal(result.counters?.successful, calls, why);
  assert.equal(result.counters?.failed, 0, why);
}

describe('SIPp harness against Kamailio (registrar + proxy, PostgreSQL write-through)', { skip: skip ?? false }, () => {
  let kamailio: KamailioPeer;
  let db: pg.Client;
  let gatewayPort: number;

  const rows = (from: number, count: number, target?: string): InjectionRow[] =>
    Array.from({ length: count }, (_, i) => ({ ...kamailioSubscriber(from + i, kamailio.domain), ...(target ? { target } : {}) }));

  const sipp = (options: SippOptions): Promise<SippResult> =>
    SippProcess.run({ remote: { host: kamailio.host, port: kamailio.port }, logger: silentLogger, ...options });

  /** Registers `user` with the given SIPp port as its contact, so a UAS started there gets its calls. */
  async function registerContact(user: number, localPort: number): Promise<void> {
    assertAllSucceeded(await sipp({ scenario: 'register', injection: rows(user, 1), localPort }), 1);
  }

  async function bindings(sql: string, params: unknown[]): Promise<number> {
    const result = await db.query<{ n: string }>(sql, params);
    return Number(result.rows[0]?.n);
  }

  before(async () => {
    const dbUrl = `${(DATABASE_URL ?? '').split('?')[0]}_kamailio`;
    gatewayPort = await freePort();
    kamailio = await KamailioPeer.start({ dbUrl, subscribers: 110, pstnGateway: `127.0.0.1:${gatewayPort}`, logger: silentLogger });
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
  });

  after(async () => {
    await db?.end();
    await kamailio?.close();
  });

  it('registers 100 users over UDP through the 401 digest challenge, and every binding is in PostgreSQL', async () => {
    const result = await sipp({ scenario: 'register', injection: rows(1, BULK_USERS), calls: BULK_USERS, rate: 50 });
    assertAllSucceeded(result, BULK_USERS);
    const n = await bindings(`SELECT count(DISTINCT username) AS n FROM location WHERE username = ANY($1)`, [rows(1, BULK_USERS).map((r) => r.user)]);
    assert.equal(n, BULK_USERS);
  });

  it('unregisters the same 100 users (Contact: *, Expires: 0) and their bindings leave PostgreSQL', async () => {
    const result = await sipp({ scenario: 'unregister', injection: rows(1, BULK_USERS), calls: BULK_USERS, rate: 50 });
    assertAllSucceeded(result, BULK_USERS);
    const n = await bindings(`SELECT count(*) AS n FROM location WHERE username = ANY($1)`, [rows(1, BULK_USERS).map((r) => r.user)]);
    assert.equal(n, 0);
  });

  it('registers over TCP (-t t1): the bindings carry transport=tcp', async () => {
    const result = await sipp({ scenario: 'register', transport: 'tcp', injection: rows(TCP_USERS_FROM, TCP_USERS), calls: TCP_USERS });
    assertAllSucceeded(result, TCP_USERS);
    const users = rows(TCP_USERS_FROM, TCP_USERS).map((r) => r.user);
    const n = await bindings(`SELECT count(*) AS n FROM location WHERE username = ANY($1) AND contact ILIKE '%transport=tcp%'`, [users]);
    assert.equal(n, TCP_USERS);
  });

  it('reports a REGISTER with a wrong password as a failed call (the harness does not hide failures)', async () => {
    const wrong = { ...kamailioSubscriber(WRONG_PASSWORD_USER, kamailio.domain), password: 'not-the-password' };
    const result = await sipp({ scenario: 'register', injection: [wrong], recvTimeoutMs: 3_000 });
    assert.equal(result.exitCode, 1, describeSippResult(result));
    assert.equal(result.counters?.successful, 0);
    assert.equal(result.counters?.failed, 1);
    assert.match(result.errors, /401|unexpected/i);
    assert.equal(await bindings(`SELECT count(*) AS n FROM location WHERE username = $1`, [wrong.user]), 0);
    // A failed run keeps its logs for diagnosis; this failure is the expected outcome.
    await rm(result.workDir, { recursive: true, force: true });
  });

  it('routes 5 calls UAC → Kamailio (407 challenge) → registered SIPp UAS: 180, 200, ACK, BYE', async () => {
    const uasPort = await freePort();
    await registerContact(CALLEE, uasPort);
    const uas = await SippProcess.start({ scenario: 'uas-answer', localPort: uasPort, calls: 5, logger: silentLogger });
    try {
      const caller = await sipp({ scenario: 'uac-call', injection: rows(CALLER, 1, `user${CALLEE}`), calls: 5, rate: 5, pauseMs: 100 });
      assertAllSucceeded(caller, 5);
      assertAllSucceeded(await uas.done, 5);
    } finally {
      await uas.close();
    }
  });

  it('sends a call to a dialled number to the PSTN gateway (183 early media, 200, BYE)', async () => {
    const gateway = await SippProcess.start({ scenario: 'uas-gateway', localPort: gatewayPort, calls: 1, logger: silentLogger });
    try {
      const caller = await sipp({ scenario: 'uac-call', injection: rows(CALLER, 1, '+15551230000') });
      assertAllSucceeded(caller, 1);
      assertAllSucceeded(await gateway.done, 1);
    } finally {
      await gateway.close();
    }
  });

  it('cancels a ringing call: the callee gets the CANCEL, answers 487, the caller ACKs it', async () => {
    const uasPort = await freePort();
    await registerContact(RINGING_CALLEE, uasPort);
    const callee = await SippProcess.start({ scenario: 'uas-no-answer', localPort: uasPort, calls: 1, logger: silentLogger });
    try {
      const caller = await sipp({ scenario: 'uac-cancel', injection: rows(CALLER, 1, `user${RINGING_CALLEE}`), pauseMs: 200 });
      assertAllSucceeded(caller, 1);
      assertAllSucceeded(await callee.done, 1);
    } finally {
      await callee.close();
    }
  });

  it('delivers a MESSAGE (after the 407 challenge) to a registered SIPp UAS', async () => {
    const uasPort = await freePort();
    await registerContact(MESSAGE_RECIPIENT, uasPort);
    const recipient = await SippProcess.start({ scenario: 'uas-message', localPort: uasPort, calls: 3, logger: silentLogger, traceMessages: true });
    try {
      const sender = await sipp({ scenario: 'message', injection: rows(CALLER, 1, `user${MESSAGE_RECIPIENT}`), calls: 3, keys: { text: 'hello from sipp' } });
      assertAllSucceeded(sender, 3);
      const received = await recipient.done;
      assertAllSucceeded(received, 3);
      assert.equal(received.messages.match(/hello from sipp/g)?.length, 3, 'each MESSAGE body arrives');
    } finally {
      await recipient.close();
    }
  });
});
