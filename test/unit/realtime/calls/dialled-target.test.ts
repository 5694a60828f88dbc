import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callerOf, dialledOf } from '../../../../src/realtime/calls/dialled-target.ts';
import { parseNameAddr } from '../../../../src/realtime/sip/name-addr.ts';
import { parseUri, type Uri } from '../../../../src/realtime/sip/uri.ts';

function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) assert.fail(r.error);
  return r.value;
}

describe('dialledOf: what a Request-URI dials', () => {
  it('a tel: URI gives its digits without visual separators, with its extension', () => {
    assert.deepEqual(dialledOf(uri('tel:+1-425-555-0100')), { kind: 'number', dialled: '+14255550100' });
    assert.deepEqual(dialledOf(uri('tel:+14255550100;ext=100')), { kind: 'number', dialled: '+14255550100;ext=100' });
  });

  it('a SIP URI whose user part is digits is a number, with or without user=phone', () => {
    assert.deepEqual(dialledOf(uri('sip:2001@example.test')), { kind: 'number', dialled: '2001' });
    assert.deepEqual(dialledOf(uri('sip:+1(425)555-0100@example.test;user=phone')), { kind: 'number', dialled: '+14255550100' });
  });

  it('any other SIP URI is an address of record with a lower-case host and no parameters', () => {
    assert.deepEqual(dialledOf(uri('sip:Bob@Example.TEST:5070;transport=tcp')), { kind: 'sip', dialled: 'sip:Bob@example.test' });
  });

  it('nothing routable: no user part, user=phone that is not a number, another scheme', () => {
    assert.equal(dialledOf(uri('sip:example.test')), undefined);
    assert.equal(dialledOf(uri('sip:bob@example.test;user=phone')), undefined);
    assert.equal(dialledOf(uri('mailto:bob@example.test')), undefined);
  });
});

describe('callerOf: who the From header claims to be', () => {
  it('the AOR and digest username of a sip: From', () => {
    const from = parseNameAddr('"Alice" <sip:alice@Example.Test>;tag=1');
    assert.ok(from.ok);
    assert.deepEqual(callerOf(from.value), { aor: 'sip:alice@example.test', username: 'alice' });
  });

  it('no caller for a tel: From or one without a user', () => {
    for (const text of ['<tel:+14255550100>;tag=1', '<sip:example.test>;tag=1']) {
      const from = parseNameAddr(text);
      assert.ok(from.ok);
      assert.equal(callerOf(from.value), undefined);
    }
  });
});
