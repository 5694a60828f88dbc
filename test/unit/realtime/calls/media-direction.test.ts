import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaStateOf } from '../../../../src/realtime/calls/media-direction.ts';
import { Headers, EMPTY_BODY } from '../../../../src/realtime/sip/message.ts';

const sdpHeaders = Headers.of([['Content-Type', 'application/sdp']]);

function offer(lines: readonly string[]) {
  const body = ['v=0', 'o=- 1 2 IN IP4 192.0.2.1', 's=-', 't=0 0', ...lines, ''].join('\r\n');
  return { headers: sdpHeaders, body: Buffer.from(body) };
}

describe('mediaStateOf: hold and resume from an SDP offer (RFC 3264 §8.4)', () => {
  it('sendonly or inactive on every active stream is hold', () => {
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1', 'a=sendonly', 'm=audio 4000 RTP/AVP 0'])), 'held');
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1', 'm=audio 4000 RTP/AVP 0', 'a=inactive', 'm=video 4002 RTP/AVP 96', 'a=sendonly'])), 'held');
  });

  it('a media-level attribute overrides the session level; one active stream means not held', () => {
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1', 'a=sendonly', 'm=audio 4000 RTP/AVP 0', 'a=sendrecv'])), 'active');
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1', 'm=audio 4000 RTP/AVP 0', 'a=sendonly', 'm=video 4002 RTP/AVP 96'])), 'active');
  });

  it('no direction attribute is sendrecv; a disabled stream (port 0) is ignored', () => {
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1', 'm=audio 4000 RTP/AVP 0'])), 'active');
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1', 'm=audio 4000 RTP/AVP 0', 'a=inactive', 'm=video 0 RTP/AVP 96'])), 'held');
  });

  it('the RFC 2543 null address is hold', () => {
    assert.equal(mediaStateOf(offer(['c=IN IP4 0.0.0.0', 'm=audio 4000 RTP/AVP 0'])), 'held');
  });

  it('no offer: no body, another content type, no media', () => {
    assert.equal(mediaStateOf({ headers: sdpHeaders, body: EMPTY_BODY }), undefined);
    assert.equal(mediaStateOf({ headers: Headers.of([['Content-Type', 'text/plain']]), body: Buffer.from('a=sendonly') }), undefined);
    assert.equal(mediaStateOf(offer(['c=IN IP4 192.0.2.1'])), undefined);
  });
});
