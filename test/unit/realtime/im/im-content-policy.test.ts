import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyImContent } from '../../../../src/realtime/im/im-content-policy.ts';
import { Headers, type HeaderInit } from '../../../../src/realtime/sip/message.ts';

function classify(headers: readonly HeaderInit[], body: string | Buffer, max = 100) {
  return classifyImContent({ headers: Headers.of(headers), body: typeof body === 'string' ? Buffer.from(body) : body }, max);
}

describe('classifyImContent', () => {
  it('accepts text/plain as UTF-8 by default, keeping the Content-Type as sent', () => {
    assert.deepEqual(classify([['Content-Type', 'text/plain']], 'héllo'), { kind: 'message', contentType: 'text/plain', text: 'héllo' });
  });

  it('accepts any text/* and message/cpim', () => {
    assert.equal(classify([['Content-Type', 'text/html']], '<b>hi</b>').kind, 'message');
    assert.equal(classify([['Content-Type', 'Message/CPIM']], 'From: <im:a@b>\r\n\r\nhi').kind, 'message');
  });

  it('decodes ISO-8859-1 when the charset says so', () => {
    const c = classify([['Content-Type', 'text/plain; charset="ISO-8859-1"']], Buffer.from([0x63, 0x61, 0xe7, 0x61]));
    assert.deepEqual(c.kind === 'message' && c.text, 'caça');
  });

  it('treats an is-composing notice as an indication', () => {
    assert.deepEqual(classify([['Content-Type', 'application/im-iscomposing+xml']], '<isComposing/>'), { kind: 'indication' });
  });

  it('refuses, with the status RFC 3261 / RFC 3428 give', () => {
    const status = (h: readonly HeaderInit[], body: string | Buffer, max?: number) => {
      const c = classify(h, body, max);
      return c.kind === 'reject' ? c.status : c.kind;
    };
    assert.equal(status([['Content-Type', 'text/plain']], ''), 400, 'empty body');
    assert.equal(status([['Content-Type', 'text/plain']], 'x'.repeat(101)), 413, 'over the limit');
    assert.equal(status([['Content-Type', 'text/plain']], 'x'.repeat(100)), 'message', 'at the limit');
    assert.equal(status([], 'hi'), 400, 'no Content-Type');
    assert.equal(status([['Content-Type', 'not a type']], 'hi'), 400, 'malformed Content-Type');
    assert.equal(status([['Content-Type', 'image/png']], 'PNG'), 415, 'binary type');
    assert.equal(status([['Content-Type', 'text/plain; charset=koi8-r']], 'hi'), 415, 'unknown charset');
    assert.equal(status([['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], 'hi'), 415, 'encoded');
    assert.equal(status([['Content-Type', 'text/plain']], Buffer.from([0xff, 0xfe, 0x41])), 400, 'not UTF-8');
  });

  it('tells the client what it accepts', () => {
    const c = classify([['Content-Type', 'image/png']], 'PNG');
    assert.deepEqual(c.kind === 'reject' && c.headers, [['Accept', 'text/plain, text/*, message/cpim, application/im-iscomposing+xml']]);
    const e = classify([['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], 'x');
    assert.deepEqual(e.kind === 'reject' && e.headers, [['Accept-Encoding', 'identity']]);
  });
});
