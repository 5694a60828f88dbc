import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CredentialStore, StoredCredentials } from '../../../../src/realtime/auth/credential-store.ts';
import { DigestAuthenticator, type AuthOutcome } from '../../../../src/realtime/auth/digest-authenticator.ts';
import { computeDigestHa1 } from '../../../../src/realtime/auth/digest-response.ts';
import { StatelessNonces, type NonceCheck, type NonceIssuer } from '../../../../src/realtime/auth/stateless-nonces.ts';
import { EMPTY_BODY, Headers } from '../../../../src/realtime/sip/message.ts';
import { silentLogger } from '../../../support/silent-logger.ts';
import { answerChallenge, readChallenge } from '../../../support/sip-digest-client.ts';

const AOR = 'sip:alice@example.test';
const REALM = 'example.test';
const PASSWORD = 'wonderland';

function credentialsFor(username: string, realm: string, password: string): StoredCredentials {
  return {
    realm,
    ha1Md5: computeDigestHa1('MD5', username, realm, password),
    ha1Sha256: computeDigestHa1('SHA-256', username, realm, password),
  };
}

class MapCredentials implements CredentialStore {
  constructor(readonly entries: Map<string, StoredCredentials>) {}
  credentials(aor: string): StoredCredentials | null {
    return this.entries.get(aor) ?? null;
  }
}

function setup(options: { now?: () => number } = {}) {
  const nonces = new StatelessNonces({ secret: Buffer.alloc(32, 1), ttlSeconds: 300, ...(options.now ? { now: options.now } : {}) });
  const store = new MapCredentials(new Map([[AOR, credentialsFor('alice', REALM, PASSWORD)]]));
  const auth = new DigestAuthenticator({ credentials: store, nonces, defaultRealm: 'default.test', logger: silentLogger });
  return { auth, nonces };
}

function register(authorization?: string) {
  const headers = authorization === undefined ? Headers.of([]) : Headers.of([['Authorization', authorization]]);
  return { method: 'REGISTER', headers, body: EMPTY_BODY };
}

function challengeOf(outcome: AuthOutcome) {
  assert.equal(outcome.kind, 'challenge', `expected a challenge, got ${JSON.stringify(outcome)}`);
  if (outcome.kind !== 'challenge') throw new Error('unreachable');
  return outcome;
}

const alice = { aor: AOR, username: 'alice' };

describe('DigestAuthenticator', () => {
  it('challenges a request without credentials with SHA-256 first, then MD5, qop=auth and opaque', () => {
    const { auth } = setup();
    const outcome = challengeOf(auth.authenticate(register(), alice, 'www'));
    assert.equal(outcome.status, 401);
    assert.equal(outcome.reason, 'no-credentials');
    assert.deepEqual(outcome.headers.map(([n]) => n), ['WWW-Authenticate', 'WWW-Authenticate']);
    const [sha, md5] = outcome.headers.map(([, v]) => readChallenge(v));
    assert.equal(sha?.algorithm, 'SHA-256');
    assert.equal(md5?.algorithm, 'MD5');
    for (const c of [sha, md5]) {
      assert.equal(c?.realm, REALM);
      assert.equal(c?.qop, 'auth');
      assert.ok(c?.opaque);
      assert.equal(c?.stale, false);
    }
  });

  it('uses 407 and Proxy-Authenticate/Proxy-Authorization for the proxy role', () => {
    const { auth } = setup();
    const outcome = challengeOf(auth.authenticate({ method: 'INVITE', headers: Headers.of([]), body: EMPTY_BODY }, alice, 'proxy'));
    assert.equal(outcome.status, 407);
    assert.equal(outcome.headers[0]?.[0], 'Proxy-Authenticate');
    const challenge = readChallenge(outcome.headers[0]?.[1] ?? '');
    const answer = answerChallenge({ challenge, method: 'INVITE', uri: 'sip:bob@example.test', username: 'alice', password: PASSWORD });
    const headers = Headers.of([['Proxy-Authorization', answer]]);
    assert.equal(auth.authenticate({ method: 'INVITE', headers, body: EMPTY_BODY }, alice, 'proxy').kind, 'authorized');
    // Authorization is not Proxy-Authorization.
    const wrongHeader = Headers.of([['Authorization', answer]]);
    assert.equal(auth.authenticate({ method: 'INVITE', headers: wrongHeader, body: EMPTY_BODY }, alice, 'proxy').kind, 'challenge');
  });

  for (const pick of [0, 1] as const) {
    it(`authorizes a correct ${pick === 0 ? 'SHA-256' : 'MD5'} answer, over the uri the client sent`, () => {
      const { auth } = setup();
      const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[pick]?.[1] ?? '');
      // SIPp 3.6 writes the remote address as digest uri, not the Request-URI.
      const answer = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:127.0.0.1:5060', username: 'alice', password: PASSWORD });
      const outcome = auth.authenticate(register(answer), alice, 'www');
      assert.deepEqual(outcome, { kind: 'authorized', username: 'alice', realm: REALM, algorithm: pick === 0 ? 'SHA-256' : 'MD5' });
    });
  }

  it('authorizes the RFC 2069 form without qop and an answer without opaque', () => {
    const { auth } = setup();
    const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[1]?.[1] ?? '');
    const answer = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'alice', password: PASSWORD, useQop: false, omitOpaque: true });
    assert.equal(auth.authenticate(register(answer), alice, 'www').kind, 'authorized');
  });

  it('re-challenges a wrong password (401, not stale)', () => {
    const { auth } = setup();
    const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[0]?.[1] ?? '');
    const answer = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'alice', password: 'guess' });
    const outcome = challengeOf(auth.authenticate(register(answer), alice, 'www'));
    assert.equal(outcome.reason, 'wrong-response');
    assert.equal(readChallenge(outcome.headers[0]?.[1] ?? '').stale, false);
  });

  it('re-challenges credentials for another realm', () => {
    const { auth } = setup();
    const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[0]?.[1] ?? '');
    const answer = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'alice', password: PASSWORD, realm: 'elsewhere.test' });
    assert.equal(challengeOf(auth.authenticate(register(answer), alice, 'www')).reason, 'other-realm');
  });

  it('forbids a username that is not the AOR user', () => {
    const { auth } = setup();
    const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[0]?.[1] ?? '');
    const answer = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'mallory', password: PASSWORD });
    assert.equal(auth.authenticate(register(answer), alice, 'www').kind, 'forbidden');
  });

  it('challenges an unknown user in the default realm, exactly like a wrong password', () => {
    const { auth } = setup();
    const bob = { aor: 'sip:bob@example.test', username: 'bob' };
    const first = challengeOf(auth.authenticate(register(), bob, 'www'));
    const challenge = readChallenge(first.headers[0]?.[1] ?? '');
    assert.equal(challenge.realm, 'default.test');
    const answer = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'bob', password: 'x' });
    const second = challengeOf(auth.authenticate(register(answer), bob, 'www'));
    assert.equal(second.status, 401);
    assert.equal(second.reason, 'unknown-user');
  });

  it('answers a correct response on an expired nonce with stale=true, and a wrong one without', () => {
    let now = 1_700_000_000_000;
    const { auth } = setup({ now: () => now });
    const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[0]?.[1] ?? '');
    const good = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'alice', password: PASSWORD });
    const bad = answerChallenge({ challenge, method: 'REGISTER', uri: 'sip:example.test', username: 'alice', password: 'nope' });
    now += 301_000;
    const stale = challengeOf(auth.authenticate(register(good), alice, 'www'));
    assert.equal(stale.reason, 'stale-nonce');
    assert.deepEqual(stale.headers.map(([, v]) => readChallenge(v).stale), [true, true]);
    const wrong = challengeOf(auth.authenticate(register(bad), alice, 'www'));
    assert.deepEqual(wrong.headers.map(([, v]) => readChallenge(v).stale), [false, false]);
  });

  it('re-challenges a nonce it never issued, a wrong opaque, and an algorithm it does not support', () => {
    const { auth } = setup();
    const challenge = readChallenge(challengeOf(auth.authenticate(register(), alice, 'www')).headers[0]?.[1] ?? '');
    const forged = answerChallenge({ challenge: { ...challenge, nonce: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, method: 'REGISTER', uri: 'sip:e', username: 'alice', password: PASSWORD });
    assert.equal(challengeOf(auth.authenticate(register(forged), alice, 'www')).reason, 'bad-nonce');
    const opaque = answerChallenge({ challenge: { ...challenge, opaque: 'other' }, method: 'REGISTER', uri: 'sip:e', username: 'alice', password: PASSWORD });
    assert.equal(challengeOf(auth.authenticate(register(opaque), alice, 'www')).reason, 'bad-opaque');
    const sha512 = answerChallenge({ challenge: { ...challenge, algorithm: 'SHA-512-256' }, method: 'REGISTER', uri: 'sip:e', username: 'alice', password: PASSWORD });
    assert.equal(challengeOf(auth.authenticate(register(sha512), alice, 'www')).reason, 'unsupported-algorithm');
  });

  it('calls a malformed Authorization header malformed (400), not a challenge', () => {
    const { auth } = setup();
    assert.equal(auth.authenticate(register('Digest username="alice", realm='), alice, 'www').kind, 'malformed');
  });

  it('verifies the RFC 7616 §3.9.1 request end to end (both algorithms)', () => {
    const realm = 'http-auth@example.org';
    const rfcNonces: NonceIssuer = {
      issue: () => '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      check: (): NonceCheck => 'fresh',
      opaque: () => 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    };
    const store = new MapCredentials(new Map([['sip:Mufasa@example.org', credentialsFor('Mufasa', realm, 'Circle of Life')]]));
    const auth = new DigestAuthenticator({ credentials: store, nonces: rfcNonces, defaultRealm: realm, logger: silentLogger });
    const mufasa = { aor: 'sip:Mufasa@example.org', username: 'Mufasa' };
    const common =
      'username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
      'nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const sha = `Digest ${common}, algorithm=SHA-256, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"`;
    const md5 = `Digest ${common}, algorithm=MD5, response="8ca523f5e9506fed4657c9700eebdbec"`;
    const get = (a: string) => ({ method: 'GET', headers: Headers.of([['Authorization', a]]), body: EMPTY_BODY });
    assert.equal(auth.authenticate(get(sha), mufasa, 'www').kind, 'authorized');
    assert.equal(auth.authenticate(get(md5), mufasa, 'www').kind, 'authorized');
    assert.equal(auth.authenticate({ ...get(md5), method: 'POST' }, mufasa, 'www').kind, 'challenge');
  });
});
