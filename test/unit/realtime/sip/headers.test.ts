import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatChallenge,
  formatCredentials,
  parseChallenge,
  parseCredentials,
} from '../../../../src/realtime/sip/auth-header.ts';
import { formatCSeq, parseCSeq, parseMaxForwards } from '../../../../src/realtime/sip/cseq.ts';
import { getParam } from '../../../../src/realtime/sip/grammar.ts';
import { Headers } from '../../../../src/realtime/sip/message.ts';
import { formatNameAddr, parseContacts, parseNameAddr, parseNameAddrList } from '../../../../src/realtime/sip/name-addr.ts';
import { formatUri } from '../../../../src/realtime/sip/uri.ts';
import { formatVia, parseVia, responseTarget, stampVia } from '../../../../src/realtime/sip/via.ts';

describe('Headers', () => {
  it('normalises compact forms and case, keeps order and every value', () => {
    const h = Headers.of([
      ['v', 'SIP/2.0/UDP a'],
      ['Via', 'SIP/2.0/UDP b'],
      ['X-Custom', '1'],
      ['VIA', 'SIP/2.0/UDP c'],
    ]);
    assert.deepEqual(h.getAll('via'), ['SIP/2.0/UDP a', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
    assert.deepEqual(
      h.entries().map((e) => e.name),
      ['Via', 'Via', 'X-Custom', 'Via'],
    );
    assert.equal(h.get('x-custom'), '1');
    assert.equal(h.count('v'), 3);
  });

  it('is immutable: set, remove and prepend return new lists', () => {
    const h = Headers.of([
      ['Via', 'one'],
      ['To', 'a'],
      ['Via', 'two'],
    ]);
    const set = h.set('via', 'only');
    assert.deepEqual(set.getAll('Via'), ['only']);
    assert.equal(set.entries()[0]?.name, 'Via');
    assert.deepEqual(h.getAll('Via'), ['one', 'two']);
    assert.deepEqual(h.removeFirst('Via').getAll('Via'), ['two']);
    assert.equal(h.prepend('i', 'cid').entries()[0]?.name, 'Call-ID');
    assert.equal(h.remove('To').has('t'), false);
  });
});

describe('Via', () => {
  it('parses LWS around slashes, several values per line, and parameters', () => {
    const r = parseVia('SIP / 2.0 / tcp host.example.com:5070 ; branch = z9hG4bKx ; rport, SIP/2.0/UDP [2001:db8::9];received=192.0.2.1');
    assert.ok(r.ok);
    const [a, b] = r.value;
    assert.equal(a?.transport, 'TCP');
    assert.equal(a?.port, 5070);
    assert.equal(getParam(a?.params ?? [], 'branch'), 'z9hG4bKx');
    assert.equal(getParam(a?.params ?? [], 'rport'), null);
    assert.equal(b?.host, '[2001:db8::9]');
  });

  it('rejects empty parameters, a wrong protocol and bad ports', () => {
    for (const v of ['SIP/2.0/UDP 192.0.2.15;;,;,,', 'SIP/3.0/UDP h', 'SIP/2.0/UDP h:70000', 'SIP/2.0/UDP', 'SIP/2.0/UDP h;branch', 'SIP/2.0/UDP h;rport=x']) {
      assert.equal(parseVia(v).ok, false, v);
    }
  });

  it('stamps received and rport (RFC 3581) and routes the response there', () => {
    const parsed = parseVia('SIP/2.0/UDP client.example.com:5066;branch=z9hG4bK1;rport');
    assert.ok(parsed.ok && parsed.value[0]);
    const stamped = stampVia(parsed.value[0], '192.0.2.7', 40000, false);
    assert.equal(formatVia(stamped), 'SIP/2.0/UDP client.example.com:5066;branch=z9hG4bK1;rport=40000;received=192.0.2.7');
    assert.deepEqual(responseTarget(stamped), { address: '192.0.2.7', port: 40000 });
  });

  it('adds received only when the host differs, and without rport uses the sent-by port', () => {
    const same = parseVia('SIP/2.0/UDP 192.0.2.7:5066;branch=z9hG4bK1');
    assert.ok(same.ok && same.value[0]);
    assert.equal(stampVia(same.value[0], '192.0.2.7', 40000, false), same.value[0]);
    assert.deepEqual(responseTarget(same.value[0]), { address: '192.0.2.7', port: 5066 });
    const other = stampVia(same.value[0], '198.51.100.1', 40000, false);
    assert.deepEqual(responseTarget(other), { address: '198.51.100.1', port: 5066 });
    const forced = stampVia(same.value[0], '192.0.2.7', 40000, true);
    assert.deepEqual(responseTarget(forced), { address: '192.0.2.7', port: 40000 });
  });
});

describe('name-addr', () => {
  it('parses quoted, token and absent display names', () => {
    const quoted = parseNameAddr('"Alice \\"A\\"" <sip:alice@example.com>;tag=1');
    assert.ok(quoted.ok);
    assert.equal(quoted.value.displayName, 'Alice "A"');
    const tokens = parseNameAddr('Bob   Smith <sip:bob@example.com>');
    assert.ok(tokens.ok);
    assert.equal(tokens.value.displayName, 'Bob Smith');
    const bare = parseNameAddr('sip:carol@example.com;tag=9');
    assert.ok(bare.ok);
    assert.equal(bare.value.displayName, undefined);
    assert.equal(getParam(bare.value.params, 'tag'), '9');
  });

  it('gives URI parameters to the URI only inside <>', () => {
    const inside = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>');
    const outside = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam');
    assert.ok(inside.ok && outside.ok);
    assert.equal(formatUri(inside.value.uri), 'sip:+19725552222@gw1.example.net;unknownparam');
    assert.equal(inside.value.params.length, 0);
    assert.equal(formatUri(outside.value.uri), 'sip:+19725552222@gw1.example.net');
    assert.deepEqual(outside.value.params, [['unknownparam', null]]);
  });

  it('round-trips through formatNameAddr', () => {
    for (const text of ['"A \\\\ B" <sip:a@b>;tag=x;expires=60', '<sip:a@b;lr>', '<tel:+1-555-0100>;q=0.5']) {
      const first = parseNameAddr(text);
      assert.ok(first.ok, text);
      const again = parseNameAddr(formatNameAddr(first.value));
      assert.ok(again.ok);
      assert.deepEqual(again.value, first.value);
    }
  });

  it('rejects the RFC 4475 malformed forms', () => {
    for (const text of [
      '"Mr. J. User <sip:j.user@example.com>',
      '"Watson, Thomas" < sip:t.watson@example.org >',
      'Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
      'sip:user@example.com?Route=%3Csip:sip.example.com%3E',
      '"Joe" <sip:joe@example.org>;;;;',
      '<sip:a@b',
      '',
    ]) {
      assert.equal(parseNameAddr(text).ok, false, text);
    }
  });

  it('splits Contact and Route lists on commas outside <> and quotes', () => {
    const contacts = parseContacts(['"a, b" <sip:a@x>;q=0.1, <sip:b@y;p=1,2>', '<sip:c@z>']);
    assert.equal(contacts.ok, false, 'a comma is not legal inside a URI parameter');
    const ok = parseContacts(['"a, b" <sip:a@x>;q=0.1, <sip:b@y>', '<sip:c@z>']);
    assert.ok(ok.ok);
    assert.equal(ok.value.length, 3);
    const wildcard = parseContacts(['*']);
    assert.ok(wildcard.ok);
    assert.deepEqual(wildcard.value, [{ kind: 'wildcard' }]);
    assert.equal(parseContacts(['*, <sip:a@b>']).ok, false);
    const routes = parseNameAddrList(['<sip:p1.example.com;lr>, <sip:p2.example.com;lr>']);
    assert.ok(routes.ok);
    assert.equal(routes.value.length, 2);
  });
});

describe('CSeq and Max-Forwards', () => {
  it('parses and formats CSeq, with leading zeros and folding LWS', () => {
    const r = parseCSeq('0009   INVITE');
    assert.ok(r.ok);
    assert.deepEqual(r.value, { seq: 9, method: 'INVITE' });
    assert.equal(formatCSeq(r.value), '9 INVITE');
  });

  it('rejects sequence numbers above 2^32-1 and junk', () => {
    assert.equal(parseCSeq('4294967295 REGISTER').ok, true);
    for (const v of ['4294967296 REGISTER', '36893488147419103232 REGISTER', 'INVITE', '1', '-1 INVITE', '1 IN VITE']) {
      assert.equal(parseCSeq(v).ok, false, v);
    }
  });

  it('bounds Max-Forwards to 0..255', () => {
    assert.deepEqual(parseMaxForwards('0068'), { ok: true, value: 68 });
    assert.equal(parseMaxForwards('256').ok, false);
    assert.equal(parseMaxForwards('-1').ok, false);
  });
});

describe('authentication headers', () => {
  it('parses a Digest challenge with RFC 7616/8760 algorithms and qop options', () => {
    const r = parseChallenge('Digest realm="chorus.example", nonce="abc==", qop="auth,auth-int", algorithm=SHA-256, opaque="o", stale=TRUE, userhash=true');
    assert.ok(r.ok && r.value.scheme === 'Digest');
    assert.equal(r.value.realm, 'chorus.example');
    assert.equal(r.value.algorithm, 'SHA-256');
    assert.deepEqual(r.value.qop, ['auth', 'auth-int']);
    assert.equal(r.value.stale, true);
    assert.equal(r.value.userhash, true);
    const again = parseChallenge(formatChallenge(r.value));
    assert.deepEqual(again, r);
  });

  it('parses Digest credentials and round-trips them', () => {
    const text =
      'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", ' +
      'qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=SHA-512-256';
    const r = parseCredentials(text);
    assert.ok(r.ok && r.value.scheme === 'Digest');
    assert.equal(r.value.username, 'bob');
    assert.equal(r.value.uri, 'sip:bob@biloxi.com');
    assert.equal(r.value.qop, 'auth');
    assert.equal(r.value.nc, '00000001');
    assert.equal(r.value.algorithm, 'SHA-512-256');
    assert.deepEqual(parseCredentials(formatCredentials(r.value)), r);
  });

  it('keeps unknown schemes (RFC 4475 §3.3.7) and rejects broken Digest', () => {
    assert.deepEqual(parseCredentials('NoOneKnowsThisScheme opaque-data=here'), {
      ok: true,
      value: { scheme: 'other', name: 'NoOneKnowsThisScheme', raw: 'opaque-data=here' },
    });
    for (const v of [
      'Digest username="bob", realm="r"',
      'Digest username="bob, realm="r", nonce="n", uri="u", response="x"',
      'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth',
      'Digest username="a", realm="r", nonce="n", uri="u", response="x", nc=zz',
      'Digest username="a", username="b", realm="r", nonce="n", uri="u", response="x"',
    ]) {
      assert.equal(parseCredentials(v).ok, false, v);
    }
    assert.equal(parseChallenge('Digest nonce="n"').ok, false);
  });
});
