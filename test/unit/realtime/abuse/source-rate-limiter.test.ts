import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitGate } from '../../../../src/realtime/abuse/rate-limit-gate.ts';
import { SourceRateLimiter } from '../../../../src/realtime/abuse/source-rate-limiter.ts';
import type { GatedRequest } from '../../../../src/realtime/abuse/rate-limit-gate.ts';
import type { ReplyOptions } from '../../../../src/realtime/sip/sip-engine.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

describe('SourceRateLimiter', () => {
  it('lets a burst through, then refuses with a Retry-After, then refills at the rate', () => {
    let now = 0;
    const limiter = new SourceRateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('192.0.2.1').allowed, true);
    assert.deepEqual(limiter.take('192.0.2.1'), { allowed: false, retryAfterSeconds: 1, firstRefusal: true });
    assert.deepEqual(limiter.take('192.0.2.1'), { allowed: false, retryAfterSeconds: 1, firstRefusal: false });
    now += 499;
    assert.equal(limiter.take('192.0.2.1').allowed, false);
    now += 2;
    assert.equal(limiter.take('192.0.2.1').allowed, true);
    assert.equal(limiter.take('192.0.2.1').allowed, false);
    now += 10_000; // a long quiet spell refills to the burst, no further
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('192.0.2.1').allowed, true);
    assert.equal(limiter.take('192.0.2.1').allowed, false);
  });

  it('keeps one bucket per source address and treats v4-mapped v6 as v4', () => {
    const limiter = new SourceRateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    assert.equal(limiter.take('192.0.2.1').allowed, true);
    assert.equal(limiter.take('::ffff:192.0.2.1').allowed, false);
    assert.equal(limiter.take('192.0.2.2').allowed, true);
    assert.equal(limiter.take('2001:DB8::1').allowed, true);
    assert.equal(limiter.take('2001:db8::1').allowed, false);
  });

  it('says how long to wait at a slow rate', () => {
    const limiter = new SourceRateLimiter({ ratePerSecond: 0.1, burst: 1, now: () => 0 });
    limiter.take('a');
    const d = limiter.take('a');
    assert.equal(d.allowed, false);
    assert.equal(d.allowed ? 0 : d.retryAfterSeconds, 10);
  });

  it('never limits exempt sources', () => {
    const limiter = new SourceRateLimiter({ ratePerSecond: 1, burst: 1, exempt: ['198.51.100.7'], now: () => 0 });
    for (let i = 0; i < 10; i++) assert.equal(limiter.take('198.51.100.7').allowed, true);
  });

  it('forgets the least recently seen sources beyond maxSources', () => {
    const limiter = new SourceRateLimiter({ ratePerSecond: 1, burst: 1, maxSources: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a'); // a is now the most recent
    limiter.take('c'); // b goes
    assert.equal(limiter.trackedSources, 2);
    assert.equal(limiter.take('b').allowed, true, 'b was forgotten: a full bucket again');
    assert.equal(limiter.take('c').allowed, false);
  });

  it('rejects bad options', () => {
    assert.throws(() => new SourceRateLimiter({ ratePerSecond: 0 }), RangeError);
    assert.throws(() => new SourceRateLimiter({ burst: 0.5 }), RangeError);
  });
});

type Reply = { status: number; reason: string | undefined; options: ReplyOptions | undefined };

function fakeRequest(method: string, protocol: 'udp' | 'tcp', address: string, replies: Reply[]): GatedRequest {
  return {
    request: { method } as GatedRequest['request'],
    source: { protocol, address, port: 5060, flowId: `${protocol}:${address}:5060`, localAddress: '127.0.0.1', localPort: 5060 },
    reply: (status, reason, options) => {
      replies.push({ status, reason, options });
      return true;
    },
  };
}

describe('RateLimitGate', () => {
  it('passes admitted requests on and answers refused TCP requests 503 with Retry-After every time', () => {
    const passed: string[] = [];
    const replies: Reply[] = [];
    const gate = new RateLimitGate<GatedRequest>({
      limiter: new SourceRateLimiter({ ratePerSecond: 1, burst: 2, now: () => 0 }),
      next: (r) => passed.push(r.request.method),
      logger: silentLogger,
    });
    for (let i = 0; i < 4; i++) gate.handle(fakeRequest('REGISTER', 'tcp', '192.0.2.9', replies));
    assert.deepEqual(passed, ['REGISTER', 'REGISTER']);
    assert.deepEqual(replies.map((r) => r.status), [503, 503]);
    assert.deepEqual(replies[0]?.options?.headers, [['Retry-After', '1']]);
    assert.equal(gate.refused, 2);
  });

  it('answers the first refused UDP request of a burst and drops the rest; ACK and CANCEL always pass', () => {
    const passed: string[] = [];
    const replies: Reply[] = [];
    const gate = new RateLimitGate<GatedRequest>({
      limiter: new SourceRateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 }),
      next: (r) => passed.push(r.request.method),
      logger: silentLogger,
    });
    for (let i = 0; i < 5; i++) gate.handle(fakeRequest('REGISTER', 'udp', '192.0.2.9', replies));
    gate.handle(fakeRequest('CANCEL', 'udp', '192.0.2.9', replies));
    gate.handle(fakeRequest('ACK', 'udp', '192.0.2.9', replies));
    assert.deepEqual(passed, ['REGISTER', 'CANCEL', 'ACK']);
    assert.deepEqual(replies.map((r) => r.status), [503]);
    assert.equal(gate.refused, 4);
  });
});
