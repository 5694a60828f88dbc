import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatelessNonces } from '../../../../src/realtime/auth/stateless-nonces.ts';

const SECRET = Buffer.alloc(32, 7);

describe('StatelessNonces', () => {
  it('accepts its own nonce while fresh and calls it stale after the ttl', () => {
    let now = 1_700_000_000_000;
    const nonces = new StatelessNonces({ secret: SECRET, ttlSeconds: 300, now: () => now });
    const nonce = nonces.issue('example.test');
    assert.equal(nonces.check(nonce, 'example.test'), 'fresh');
    now += 300_000;
    assert.equal(nonces.check(nonce, 'example.test'), 'fresh');
    now += 1;
    assert.equal(nonces.check(nonce, 'example.test'), 'stale');
  });

  it('issues a different nonce each time', () => {
    const nonces = new StatelessNonces({ secret: SECRET });
    assert.notEqual(nonces.issue('r'), nonces.issue('r'));
  });

  it('refuses a nonce for another realm, from another secret, tampered or garbage', () => {
    const nonces = new StatelessNonces({ secret: SECRET });
    const nonce = nonces.issue('example.test');
    assert.equal(nonces.check(nonce, 'other.test'), 'invalid');
    assert.equal(new StatelessNonces({ secret: Buffer.alloc(32, 8) }).check(nonce, 'example.test'), 'invalid');
    const raw = Buffer.from(nonce, 'base64url');
    raw[0] = (raw[0] ?? 0) ^ 1; // move the timestamp: the MAC no longer matches
    assert.equal(nonces.check(raw.toString('base64url'), 'example.test'), 'invalid');
    assert.equal(nonces.check('', 'example.test'), 'invalid');
    assert.equal(nonces.check('not a nonce!', 'example.test'), 'invalid');
    assert.equal(nonces.check('7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', 'example.test'), 'invalid');
  });

  it('refuses a nonce stamped in the future', () => {
    let now = 1_700_000_000_000;
    const nonces = new StatelessNonces({ secret: SECRET, now: () => now });
    const nonce = nonces.issue('r');
    now -= 60_000;
    assert.equal(nonces.check(nonce, 'r'), 'invalid');
  });

  it('gives one opaque per realm and secret', () => {
    const a = new StatelessNonces({ secret: SECRET });
    assert.equal(a.opaque('r'), new StatelessNonces({ secret: SECRET }).opaque('r'));
    assert.notEqual(a.opaque('r'), a.opaque('s'));
  });

  it('rejects bad options', () => {
    assert.throws(() => new StatelessNonces({ ttlSeconds: 0 }), RangeError);
    assert.throws(() => new StatelessNonces({ secret: Buffer.alloc(4) }), RangeError);
  });
});
