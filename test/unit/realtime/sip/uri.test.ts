import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aorOf, formatUri, isSipUri, parseUri, type Uri } from '../../../../src/realtime/sip/uri.ts';
import { getParam } from '../../../../src/realtime/sip/grammar.ts';

function parsed(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) assert.fail(`${text}: ${r.error}`);
  return r.value;
}

describe('uri: sip and sips', () => {
  it('splits user, password, host, port, parameters and headers', () => {
    const uri = parsed('sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
    assert.ok(isSipUri(uri));
    assert.equal(uri.scheme, 'sips');
    assert.equal(uri.user, 'alice');
    assert.equal(uri.password, 'secret');
    assert.equal(uri.host, '[2001:db8::1]');
    assert.equal(uri.port, 5061);
    assert.equal(getParam(uri.params, 'TRANSPORT'), 'tcp');
    assert.equal(getParam(uri.params, 'lr'), null);
    assert.deepEqual(uri.headers, [
      ['subject', 'project%20x'],
      ['priority', 'urgent'],
    ]);
  });

  it('round-trips byte for byte', () => {
    for (const text of [
      'sip:vivekg@chair-dnrc.example.com;unknownparam',
      'sip:user;par=u%40example.net@example.com',
      'sip:+19725552222@gw1.example.net;user=phone',
      'sip:example.com',
      'sip:127.0.0.1:5080',
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
      'sips:alice@[2001:db8::1]:5061;maddr=239.255.255.1;ttl=15',
    ]) {
      assert.equal(formatUri(parsed(text)), text);
    }
  });

  it('treats ; and ? before the @ as part of the user (RFC 4475 §3.1.1.9)', () => {
    const uri = parsed('sip:user;par=u%40example.net@example.com');
    assert.ok(isSipUri(uri));
    assert.equal(uri.user, 'user;par=u%40example.net');
    assert.equal(uri.host, 'example.com');
    assert.equal(uri.params.length, 0);
  });

  it('keeps escaped NULs distinct in the address-of-record (RFC 4475 §3.1.1.4)', () => {
    const one = parsed('sip:%00@host5.example.com');
    const two = parsed('sip:%00%00@host5.example.com');
    assert.ok(isSipUri(one) && isSipUri(two));
    assert.notEqual(aorOf(one), aorOf(two));
    assert.equal(aorOf(parsed('sip:%75se%72@Example.COM') as never), 'sip:user@example.com');
  });

  it('rejects what is not a SIP URI', () => {
    for (const text of [
      'sip:user@',
      'sip:user@host:99999',
      'sip:user@host:',
      'sip:us er@host',
      'sip:a@b@c',
      'sip:user@exa mple.com',
      'sip:@example.com',
      'sip:user@host;=x',
      'sip:user@host?noequals',
      'sip:user@ho..st',
      '<sip:user@example.com>',
      'nocolon',
    ]) {
      assert.equal(parseUri(text).ok, false, text);
    }
  });
});

describe('uri: tel and other schemes', () => {
  it('parses global and local tel numbers', () => {
    const global = parsed('tel:+1-972-555-2222;ext=22');
    assert.equal(global.scheme, 'tel');
    if (global.scheme === 'tel') {
      assert.equal(global.number, '+1-972-555-2222');
      assert.equal(getParam(global.params, 'ext'), '22');
    }
    assert.equal(formatUri(parsed('tel:7042;phone-context=example.com')), 'tel:7042;phone-context=example.com');
  });

  it('requires phone-context on a local number and digits in a global one', () => {
    assert.equal(parseUri('tel:7042').ok, false);
    assert.equal(parseUri('tel:+').ok, false);
    assert.equal(parseUri('tel:+1-abc').ok, false);
  });

  it('keeps unknown schemes opaque', () => {
    const uri = parsed('isbn:2983792873');
    assert.deepEqual(uri, { scheme: 'other', name: 'isbn', opaque: '2983792873' });
    assert.equal(formatUri(parsed('soap.beep://192.0.2.103:3002')), 'soap.beep://192.0.2.103:3002');
    assert.equal(parseUri('http://exa mple').ok, false);
  });
});
