import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataKey, SealedFieldError } from '../../../src/privacy/data-key.ts';
import { formatSealedToken, parseSealedToken } from '../../../src/privacy/sealed-token.ts';

const EVENT = '019abcde-0000-7000-8000-000000000001';
const OTHER_EVENT = '019abcde-0000-7000-8000-000000000002';

describe('DataKey (AES-256-GCM, synthetic IV)', () => {
  const key = new DataKey('6f1c0a2e-1111-4000-8000-000000000001', DataKey.generateMaterial());

  it('given a sealed value, when opened with the same key and event, then the plaintext comes back, unicode included', () => {
    const text = 'the tarts are in the pantry — 🍓, «Ünïcödé»';
    const sealed = key.seal(EVENT, 'body', text);
    assert.ok(!sealed.toString('utf8').includes('tarts'));
    assert.equal(key.open(EVENT, sealed), text);
  });

  it('given the same event, path and value sealed twice, then the bytes are equal (re-appends stay idempotent)', () => {
    assert.deepEqual(key.seal(EVENT, 'body', 'x'), key.seal(EVENT, 'body', 'x'));
  });

  it('given the same value in another field or another event, then the ciphertexts differ (no equality leak)', () => {
    const a = key.seal(EVENT, 'displayName', 'Alice');
    assert.notDeepEqual(a, key.seal(EVENT, 'note', 'Alice'));
    assert.notDeepEqual(a, key.seal(OTHER_EVENT, 'displayName', 'Alice'));
  });

  it('given a value moved to another event, when opened there, then SealedFieldError (the event id is authenticated)', () => {
    const sealed = key.seal(EVENT, 'body', 'secret');
    assert.throws(() => key.open(OTHER_EVENT, sealed), SealedFieldError);
  });

  it('given another key or a flipped bit, when opened, then SealedFieldError', () => {
    const sealed = key.seal(EVENT, 'body', 'secret');
    const other = new DataKey('6f1c0a2e-1111-4000-8000-000000000002', DataKey.generateMaterial());
    assert.throws(() => other.open(EVENT, sealed), SealedFieldError);
    const flipped = Buffer.from(sealed);
    flipped[14] = flipped[14]! ^ 1;
    assert.throws(() => key.open(EVENT, flipped), SealedFieldError);
    assert.throws(() => key.open(EVENT, sealed.subarray(0, 20)), SealedFieldError);
  });

  it('given material of the wrong size, then RangeError', () => {
    assert.throws(() => new DataKey('6f1c0a2e-1111-4000-8000-000000000003', Buffer.alloc(16)), RangeError);
  });
});

describe('sealed tokens', () => {
  it('given a formatted token, when parsed, then key id and bytes come back', () => {
    const bytes = Buffer.from([1, 2, 3, 250, 251, 252]);
    const token = formatSealedToken('6f1c0a2e-1111-4000-8000-000000000001', bytes);
    assert.match(token, /^chorus-sealed:v1:6f1c0a2e-1111-4000-8000-000000000001:[A-Za-z0-9_-]+$/);
    assert.deepEqual(parseSealedToken(token), { keyId: '6f1c0a2e-1111-4000-8000-000000000001', sealed: bytes });
  });

  it('given values that are not tokens, then null', () => {
    for (const value of ['Alice', null, 3, ['chorus-sealed:v1:x'], 'chorus-sealed:v1:not-a-uuid:AAAA', 'chorus-sealed:v1:'])
      assert.equal(parseSealedToken(value), null);
  });
});
