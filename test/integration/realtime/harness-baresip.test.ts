/**
 * The baresip harness (test/support/baresip) proven against Kamailio (infra/kamailio): two real
 * softphones register with digest auth, one calls the other through the proxy, the callee answers
 * and hangs up, and each side's reported events are asserted. A wrong password must surface as
 * REGISTER_FAIL, not as a hang or a pass.
 *
 * Needs baresip (baresip-core), kamailio + kamailio-postgres-modules and DATABASE_URL; otherwise
 * the suite is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { BaresipUa, type BaresipEvent } from '../../support/baresip/index.ts';
import { KamailioPeer, kamailioSubscriber, kamailioUnavailableReason } from '../../support/kamailio/kamailio-peer.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const DATABASE_URL = process.env['DATABASE_URL'];
const baresipMissing = (process.env['PATH'] ?? '').split(':').some((dir) => existsSync(join(dir, 'baresip')))
  ? undefined
  : 'baresip is not installed (apt-get install baresip-core)';
const skip = baresipMissing ?? kamailioUnavailableReason() ?? (DATABASE_URL ? undefined : 'DATABASE_URL not set (Kamailio keeps subscribers and bindings in PostgreSQL)');

/** Call lifecycle events only: CALL_RTCP reports come and go with media timing. */
const LIFECYCLE = new Set(['CALL_INCOMING', 'CALL_RINGING', 'CALL_PROGRESS', 'CALL_ESTABLISHED', 'CALL_CLOSED']);
const callEvents = (ua: BaresipUa): string[] => ua.events.filter((e) => LIFECYCLE.has(e.type)).map((e) => e.type);

describe('baresip harness against Kamailio', { skip: skip ?? false }, () => {
  let kamailio: KamailioPeer;
  let db: pg.Client;
  const uas: BaresipUa[] = [];

  const account = (index: number, password?: string) => {
    const s = kamailioSubscriber(index, kamailio.domain);
    return { aor: `${s.user}@${s.domain}`, password: password ?? s.password, outbound: `sip:${kamailio.host}:${kamailio.port}` };
  };

  const startUa = async (): Promise<BaresipUa> => {
    const ua = await BaresipUa.start({ logger: silentLogger });
    uas.push(ua);
    return ua;
  };

  before(async () => {
    const dbUrl = `${(DATABASE_URL ?? '').split('?')[0]}_kamailio`;
    kamailio = await KamailioPeer.start({ dbUrl, subscribers: 5, logger: silentLogger });
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
  });

  after(async () => {
    await Promise.all(uas.map((ua) => ua.close()));
    await db?.end();
    await kamailio?.close();
  });

  it('registers two UAs, and one calls the other: ringing, answer, established on both sides, hang-up closes both', async () => {
    const alice = await startUa();
    const bob = await startUa();
    const aliceReg = await alice.register(account(1));
    const bobReg = await bob.register(account(2));
    assert.equal(aliceReg.accountaor, 'sip:user1@example.test');
    assert.equal(bobReg.accountaor, 'sip:user2@example.test');
    // Kamailio wrote Bob's binding through to PostgreSQL, pointing at Bob's own SIP port.
    const binding = await db.query<{ contact: string }>('SELECT contact FROM location WHERE username = $1', ['user2']);
    assert.equal(binding.rows.length, 1);
    assert.match(binding.rows[0]?.contact ?? '', new RegExp(`:${bob.sipPort}\\b`));

    await alice.dial('sip:user2@example.test');
    const incoming = await bob.waitFor('CALL_INCOMING at bob', (e) => e.type === 'CALL_INCOMING');
    assert.equal(incoming.peeruri, 'sip:user1@example.test');
    assert.equal(incoming.direction, 'incoming');
    const ringing = await alice.waitFor('CALL_RINGING at alice', (e) => e.type === 'CALL_RINGING');
    assert.equal(ringing.id, incoming.id, 'both sides see the same call (Call-ID)');

    await bob.accept();
    const closedEarly = (e: BaresipEvent) => e.type === 'CALL_CLOSED';
    await bob.waitFor('CALL_ESTABLISHED at bob', (e) => e.type === 'CALL_ESTABLISHED', closedEarly);
    const established = await alice.waitFor('CALL_ESTABLISHED at alice', (e) => e.type === 'CALL_ESTABLISHED', closedEarly);
    assert.equal(established.direction, 'outgoing');

    await bob.hangup();
    const bobClosed = await bob.waitFor('CALL_CLOSED at bob', (e) => e.type === 'CALL_CLOSED');
    const aliceClosed = await alice.waitFor('CALL_CLOSED at alice', (e) => e.type === 'CALL_CLOSED');
    assert.equal(bobClosed.id, incoming.id);
    assert.equal(aliceClosed.id, incoming.id);
    // Alice learns of the end from Bob's BYE, relayed by Kamailio along the record-routed dialog.
    assert.match(aliceClosed.param ?? '', /peer/i);
    assert.deepEqual(callEvents(alice), ['CALL_RINGING', 'CALL_ESTABLISHED', 'CALL_CLOSED']);
    assert.deepEqual(callEvents(bob), ['CALL_INCOMING', 'CALL_ESTABLISHED', 'CALL_CLOSED']);
  });

  it('reports REGISTER_FAIL for a wrong password, and Kamailio stores no binding', async () => {
    const mallory = await startUa();
    await assert.rejects(mallory.register(account(3, 'wrong-password')), /REGISTER_OK for sip:user3@example.test: got REGISTER_FAIL/);
    const binding = await db.query('SELECT 1 FROM location WHERE username = $1', ['user3']);
    assert.equal(binding.rows.length, 0);
  });
});
