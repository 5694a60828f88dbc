import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainWatcherPolicy } from '../../../../src/realtime/presence/domain-watcher-policy.ts';

describe('DomainWatcherPolicy', () => {
  it('given defaults, then a watcher of the same domain is allowed and a foreign one denied', () => {
    const policy = new DomainWatcherPolicy();
    assert.deepEqual(policy.decide('sip:bob@example.test', 'sip:alice@example.test'), { kind: 'allow' });
    assert.equal(policy.decide('sip:mallory@other.test', 'sip:alice@example.test').kind, 'deny');
  });

  it('given a trusted domain, then its users are allowed (case-insensitively configured)', () => {
    const policy = new DomainWatcherPolicy({ trustedDomains: ['Partner.TEST'] });
    assert.equal(policy.decide('sip:pat@partner.test', 'sip:alice@example.test').kind, 'allow');
  });

  it("given the presentity's block list, then a blocked watcher is denied even from the same domain", () => {
    const policy = new DomainWatcherPolicy({ blockedWatchers: (p) => (p === 'sip:alice@example.test' ? ['sip:bob@example.test'] : []) });
    assert.equal(policy.decide('sip:bob@example.test', 'sip:alice@example.test').kind, 'deny');
    assert.equal(policy.decide('sip:bob@example.test', 'sip:carol@example.test').kind, 'allow');
  });

  it('given a blocked domain, then every watcher of it is denied, and only of it', () => {
    const policy = new DomainWatcherPolicy({ trustedDomains: ['spam.test', 'spam.test.example'], blockedWatchers: () => ['spam.test'] });
    assert.equal(policy.decide('sip:eve@spam.test', 'sip:alice@example.test').kind, 'deny');
    assert.equal(policy.decide('sip:eve@spam.test.example', 'sip:alice@example.test').kind, 'allow');
    assert.equal(policy.decide('sip:spam.test@example.test', 'sip:alice@example.test').kind, 'allow');
  });
});
