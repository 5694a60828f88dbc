import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptsPidf, aorOfUri, domainOfAor, eventId, eventPackage, mediaType, readExpires, userOfAor } from '../../../../src/realtime/presence/presence-sip.ts';
import { Headers } from '../../../../src/realtime/sip/message.ts';
import { parseUri } from '../../../../src/realtime/sip/uri.ts';

const h = (...lines: Array<[string, string]>) => Headers.of(lines);

function aor(text: string): string | undefined {
  const uri = parseUri(text);
  assert.ok(uri.ok);
  return aorOfUri(uri.value);
}

describe('presence header reading', () => {
  it('aorOfUri: user unescaped, host lower-cased, port and parameters dropped; no user or tel: → undefined', () => {
    assert.equal(aor('sip:alice@EXAMPLE.test:5070;transport=tcp'), 'sip:alice@example.test');
    assert.equal(aor('sips:al%69ce@example.test'), 'sip:alice@example.test');
    assert.equal(aor('sip:example.test'), undefined);
    assert.equal(aor('tel:+15551234'), undefined);
    assert.equal(userOfAor('sip:alice@example.test'), 'alice');
    assert.equal(domainOfAor('sip:alice@example.test'), 'example.test');
  });

  it('Event: package lower-cased without parameters, and its id', () => {
    assert.equal(eventPackage(h(['Event', 'Presence;id=7'])), 'presence');
    assert.equal(eventId(h(['Event', 'presence ; id=7'])), '7');
    assert.equal(eventPackage(h()), undefined);
    assert.equal(eventId(h(['Event', 'presence'])), undefined);
    assert.equal(eventPackage(h(['o', 'presence'])), 'presence', 'compact form o');
  });

  it('Expires: absent, seconds, malformed', () => {
    assert.deepEqual(readExpires(h()), { kind: 'absent' });
    assert.deepEqual(readExpires(h(['Expires', ' 600 '])), { kind: 'seconds', seconds: 600 });
    assert.deepEqual(readExpires(h(['Expires', '-1'])), { kind: 'malformed' });
    assert.deepEqual(readExpires(h(['Expires', 'soon'])), { kind: 'malformed' });
  });

  it('Content-Type media type and Accept of PIDF', () => {
    assert.equal(mediaType(h(['Content-Type', 'Application/PIDF+XML; charset=UTF-8'])), 'application/pidf+xml');
    assert.equal(mediaType(h()), undefined);
    assert.equal(acceptsPidf(h()), true, 'no Accept: PIDF is the default (RFC 3856)');
    assert.equal(acceptsPidf(h(['Accept', 'application/cpim-pidf+xml, application/pidf+xml;q=0.5'])), true);
    assert.equal(acceptsPidf(h(['Accept', '*/*'])), true);
    assert.equal(acceptsPidf(h(['Accept', 'application/xpidf+xml'])), false);
  });
});
