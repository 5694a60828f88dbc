import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDigestHa1, digestResponse, isSupportedAlgorithm } from '../../../../src/realtime/auth/digest-response.ts';

// RFC 7616 §3.9.1 (the same request answered with SHA-256 and with MD5).
const RFC7616 = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
} as const;

describe('digestResponse', () => {
  it('matches RFC 7616 §3.9.1 with SHA-256', () => {
    const ha1 = computeDigestHa1('SHA-256', RFC7616.username, RFC7616.realm, RFC7616.password);
    const response = digestResponse({ algorithm: 'SHA-256', ha1, ...RFC7616, qop: 'auth' });
    assert.equal(response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('matches RFC 7616 §3.9.1 with MD5', () => {
    const ha1 = computeDigestHa1('MD5', RFC7616.username, RFC7616.realm, RFC7616.password);
    const response = digestResponse({ algorithm: 'MD5', ha1, ...RFC7616, qop: 'auth' });
    assert.equal(response, '8ca523f5e9506fed4657c9700eebdbec');
  });

  it('matches RFC 2617 §3.5', () => {
    const ha1 = computeDigestHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = digestResponse({
      algorithm: 'MD5',
      ha1,
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      cnonce: '0a4f113b',
      nc: '00000001',
      qop: 'auth',
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });

  it('computes the RFC 2069 form without qop as H(HA1:nonce:HA2)', () => {
    // Expected value computed by hand: MD5(MD5("a:r:p") ":n:" MD5("REGISTER:sip:r")).
    const ha1 = computeDigestHa1('MD5', 'a', 'r', 'p');
    const response = digestResponse({ algorithm: 'MD5', ha1, method: 'REGISTER', uri: 'sip:r', nonce: 'n' });
    assert.equal(response, 'ce0db7232cb22e4e882ac0a44065d64b');
    assert.notEqual(response, digestResponse({ algorithm: 'MD5', ha1, method: 'REGISTER', uri: 'sip:r', nonce: 'n', qop: 'auth', nc: '00000001', cnonce: 'c' }));
  });

  it('hashes the body for auth-int and re-keys HA1 for -sess', () => {
    const ha1 = computeDigestHa1('SHA-256', 'a', 'r', 'p');
    const base = { ha1, method: 'MESSAGE', uri: 'sip:b@r', nonce: 'n', nc: '00000001', cnonce: 'c' } as const;
    const withBody = digestResponse({ ...base, algorithm: 'SHA-256', qop: 'auth-int', body: Buffer.from('hello') });
    const otherBody = digestResponse({ ...base, algorithm: 'SHA-256', qop: 'auth-int', body: Buffer.from('hellO') });
    assert.notEqual(withBody, otherBody);
    assert.notEqual(digestResponse({ ...base, algorithm: 'SHA-256-sess', qop: 'auth' }), digestResponse({ ...base, algorithm: 'SHA-256', qop: 'auth' }));
  });

  it('knows which algorithms it supports', () => {
    assert.equal(isSupportedAlgorithm('SHA-256'), true);
    assert.equal(isSupportedAlgorithm('MD5-sess'), true);
    assert.equal(isSupportedAlgorithm('SHA-512-256'), false);
    assert.equal(isSupportedAlgorithm('toString'), false);
  });
});
