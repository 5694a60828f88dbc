import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_BODY, Headers, type SipResponse } from '../../../../src/realtime/sip/message.ts';
import { ManualClock } from '../../../../src/realtime/sip/transaction/clock.ts';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientFailure,
} from '../../../../src/realtime/sip/transaction/client-transaction.ts';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  type TerminationReason,
} from '../../../../src/realtime/sip/transaction/server-transaction.ts';
import { timerConfig } from '../../../../src/realtime/sip/transaction/timers.ts';

const T1 = 500;
const timers = timerConfig({ t1: T1, t2: 4000, t4: 5000, timerD: 32_000, cancelGuard: 16_000, inviteServerTimeout: 180_000, timerC: 180_000 });

function res(status: number): SipResponse {
  return { kind: 'response', version: 'SIP/2.0', status, reason: 'x', headers: new Headers(), body: EMPTY_BODY };
}

/** Records what a transaction put on the wire, and when. */
function harness(reliable = false) {
  const clock = new ClockWithLog();
  const sent: Array<{ at: number; wire: string }> = [];
  const ended: TerminationReason[] = [];
  const auto: number[] = [];
  return {
    clock,
    sent,
    ended,
    auto,
    deps: {
      clock,
      timers,
      reliable,
      send: (wire: Buffer) => sent.push({ at: clock.now, wire: wire.toString() }),
      onTerminated: (reason: TerminationReason) => ended.push(reason),
      autoRespond: (status: number) => auto.push(status),
    },
  };
}

class ClockWithLog extends ManualClock {}

const w = (s: string): Buffer => Buffer.from(s);

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('absorbs retransmissions with the last response, then Timer J ends it after 64×T1 on UDP', () => {
    const h = harness();
    const tx = new NonInviteServerTransaction(h.deps);
    tx.receiveRequest(); // retransmission while Trying: nothing to resend yet
    assert.equal(h.sent.length, 0);
    assert.equal(tx.respond(200, w('200')), true);
    tx.receiveRequest();
    assert.deepEqual(h.sent.map((s) => s.wire), ['200', '200']);
    assert.equal(tx.respond(500, w('500')), false, 'a second final is refused');
    h.clock.advance(64 * T1 - 1);
    assert.equal(tx.state, 'completed');
    h.clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.ended, ['completed']);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('ends at once after the final on a reliable transport (Timer J = 0)', () => {
    const h = harness(true);
    const tx = new NonInviteServerTransaction(h.deps);
    tx.respond(180, w('180'));
    assert.equal(tx.state, 'proceeding');
    tx.respond(200, w('200'));
    h.clock.advance(0);
    assert.equal(tx.state, 'terminated');
  });

  it('is destroyed when the handler never answers (no leak)', () => {
    const h = harness();
    const tx = new NonInviteServerTransaction(h.deps);
    h.clock.advance(64 * T1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.ended, ['abandoned-by-tu']);
    assert.equal(tx.respond(200, w('late')), false);
    assert.equal(h.sent.length, 0);
  });
});

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('sends 100 Trying at once and resends the latest provisional on a retransmission', () => {
    const h = harness();
    const tx = new InviteServerTransaction(h.deps, w('100'));
    tx.receiveRequest();
    tx.respond(180, w('180'));
    tx.receiveRequest();
    assert.deepEqual(h.sent.map((s) => s.wire), ['100', '100', '180', '180']);
  });

  it('retransmits a 4xx on Timer G (T1, 2T1, 4T1 … capped at T2) until the ACK, then Timer I ends it', () => {
    const h = harness();
    const tx = new InviteServerTransaction(h.deps, w('100'));
    tx.respond(486, w('486'));
    h.clock.advance(T1 + 2 * T1 + 4 * T1 + 4000 + 4000);
    const times = h.sent.filter((s) => s.wire === '486').map((s) => s.at);
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11500]);
    tx.receiveAck();
    assert.equal(tx.state, 'confirmed');
    h.clock.advance(10_000);
    assert.equal(h.sent.filter((s) => s.wire === '486').length, 6, 'no retransmission after the ACK');
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.ended, ['completed']);
  });

  it('gives up on the ACK after Timer H (64×T1)', () => {
    const h = harness();
    const tx = new InviteServerTransaction(h.deps, w('100'));
    tx.respond(603, w('603'));
    h.clock.advance(64 * T1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.ended, ['ack-timeout']);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('retransmits a 2xx until its ACK, absorbs INVITE retransmissions, and ends on Timer L', () => {
    const h = harness();
    const tx = new InviteServerTransaction(h.deps, w('100'));
    tx.respond(200, w('200'));
    assert.equal(tx.state, 'accepted');
    h.clock.advance(T1 + 2 * T1);
    tx.receiveRequest(); // INVITE retransmission in Accepted: absorbed, not answered
    tx.receiveAck2xx();
    h.clock.advance(10_000);
    assert.deepEqual(h.sent.map((s) => [s.wire, s.at]), [
      ['100', 0],
      ['200', 0],
      ['200', 500],
      ['200', 1500],
    ]);
    h.clock.advance(64 * T1);
    assert.equal(tx.state, 'terminated');
  });

  it('after a CANCEL with no answer from the handler, sends 487 itself and still ends (no leak)', () => {
    const h = harness();
    const tx = new InviteServerTransaction({ ...h.deps, autoRespond: (status) => void tx.respond(status, w(String(status))) }, w('100'));
    assert.equal(tx.cancel(), true);
    assert.equal(tx.cancelled, true);
    assert.equal(tx.cancel(), false, 'a second CANCEL changes nothing');
    h.clock.advance(timers.cancelGuard);
    assert.equal(h.sent.at(-1)?.wire, '487');
    assert.equal(tx.state, 'completed');
    h.clock.advance(64 * T1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.ended, ['ack-timeout']);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('does not fire the CANCEL guard when the handler answers 487 itself', () => {
    const h = harness();
    const tx = new InviteServerTransaction(h.deps, w('100'));
    tx.cancel();
    tx.respond(487, w('487'));
    h.clock.advance(timers.cancelGuard + 1);
    assert.deepEqual(h.auto, []);
  });

  it('answers 408 for a handler that never answers at all', () => {
    const h = harness();
    new InviteServerTransaction(h.deps, w('100'));
    h.clock.advance(timers.inviteServerTimeout);
    assert.deepEqual(h.auto, [408]);
  });

  it('refuses CANCEL once a final response went out', () => {
    const h = harness();
    const tx = new InviteServerTransaction(h.deps, w('100'));
    tx.respond(200, w('200'));
    assert.equal(tx.cancel(), false);
  });
});

function clientHarness(reliable = false) {
  const clock = new ManualClock();
  const sent: Array<{ at: number; wire: string }> = [];
  const responses: number[] = [];
  const failures: ClientFailure['kind'][] = [];
  let terminated = 0;
  let timerC = 0;
  return {
    clock,
    sent,
    responses,
    failures,
    get terminated() {
      return terminated;
    },
    get timerC() {
      return timerC;
    },
    deps: {
      clock,
      timers,
      reliable,
      send: (wire: Buffer) => sent.push({ at: clock.now, wire: wire.toString() }),
      onResponse: (r: SipResponse) => responses.push(r.status),
      onFailure: (f: ClientFailure) => failures.push(f.kind),
      onTerminated: () => void terminated++,
      buildAck: (r: SipResponse) => Buffer.from(`ACK for ${r.status}`),
      onTimerC: () => void timerC++,
    },
  };
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits on Timer E (T1 doubling to T2) and times out on Timer F', () => {
    const h = clientHarness();
    const tx = new NonInviteClientTransaction(h.deps, w('REQ'));
    tx.start();
    h.clock.advance(64 * T1);
    assert.deepEqual(
      h.sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.deepEqual(h.failures, ['timeout']);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('retransmits every T2 once a provisional arrived, stops on the final, absorbs its retransmission', () => {
    const h = clientHarness();
    const tx = new NonInviteClientTransaction(h.deps, w('REQ'));
    tx.start();
    tx.receiveResponse(res(100));
    h.clock.advance(T1 + 4000);
    tx.receiveResponse(res(200));
    tx.receiveResponse(res(200));
    h.clock.advance(4000);
    assert.deepEqual(h.sent.map((s) => s.at), [0, 500, 4500]);
    assert.deepEqual(h.responses, [100, 200]);
    h.clock.advance(timers.t4);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.failures, []);
  });

  it('sends once and never retransmits over a reliable transport', () => {
    const h = clientHarness(true);
    const tx = new NonInviteClientTransaction(h.deps, w('REQ'));
    tx.start();
    h.clock.advance(64 * T1);
    assert.equal(h.sent.length, 1);
    assert.deepEqual(h.failures, ['timeout']);
  });

  it('reports a transport error and ends', () => {
    const h = clientHarness();
    const tx = new NonInviteClientTransaction(h.deps, w('REQ'));
    tx.start();
    tx.transportError(new Error('ECONNREFUSED'));
    assert.deepEqual(h.failures, ['transport-error']);
    assert.equal(h.clock.pendingTimers, 0);
  });
});

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits on Timer A (doubling) and times out on Timer B in Calling', () => {
    const h = clientHarness();
    const tx = new InviteClientTransaction(h.deps, w('INVITE'));
    tx.start();
    h.clock.advance(64 * T1);
    assert.deepEqual(h.sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.deepEqual(h.failures, ['timeout']);
    assert.equal(tx.state, 'terminated');
  });

  it('stops retransmitting on a provisional and ACKs a failure (re-ACKing its retransmission) until Timer D', () => {
    const h = clientHarness();
    const tx = new InviteClientTransaction(h.deps, w('INVITE'));
    tx.start();
    tx.receiveResponse(res(180));
    h.clock.advance(64 * T1);
    assert.equal(tx.state, 'proceeding', 'Timer B does not apply in Proceeding');
    tx.receiveResponse(res(486));
    tx.receiveResponse(res(486));
    assert.deepEqual(h.sent.map((s) => s.wire), ['INVITE', 'ACK for 486', 'ACK for 486']);
    assert.deepEqual(h.responses, [180, 486]);
    h.clock.advance(timers.timerD);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('passes every 2xx up while Accepted (forking) and ends on Timer M', () => {
    const h = clientHarness();
    const tx = new InviteClientTransaction(h.deps, w('INVITE'));
    tx.start();
    tx.receiveResponse(res(200));
    tx.receiveResponse(res(200));
    assert.equal(tx.state, 'accepted');
    assert.deepEqual(h.responses, [200, 200]);
    assert.equal(h.sent.length, 1, 'no ACK for a 2xx from the transaction');
    h.clock.advance(64 * T1);
    assert.equal(tx.state, 'terminated');
  });

  it('Timer C asks for a CANCEL and gives up 64×T1 later if no final comes', () => {
    const h = clientHarness();
    const tx = new InviteClientTransaction(h.deps, w('INVITE'));
    tx.start();
    tx.receiveResponse(res(183));
    h.clock.advance(timers.timerC);
    assert.equal(h.timerC, 1);
    h.clock.advance(64 * T1);
    assert.deepEqual(h.failures, ['timeout']);
    assert.equal(tx.state, 'terminated');
  });

  it('after cancelRequested, a 487 completes it normally', () => {
    const h = clientHarness();
    const tx = new InviteClientTransaction(h.deps, w('INVITE'));
    tx.start();
    tx.receiveResponse(res(180));
    tx.cancelRequested();
    tx.receiveResponse(res(487));
    assert.deepEqual(h.failures, []);
    assert.deepEqual(h.responses, [180, 487]);
    h.clock.advance(timers.timerD + 64 * T1);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.clock.pendingTimers, 0);
  });
});
