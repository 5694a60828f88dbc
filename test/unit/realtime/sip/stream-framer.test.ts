import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamFramer, type FramedUnit } from '../../../../src/realtime/sip/transport/stream-framer.ts';

const msg = (callId: string, body = ''): string =>
  `OPTIONS sip:a@b SIP/2.0\r\nCall-ID: ${callId}\r\nl: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

function messages(units: FramedUnit[]): string[] {
  return units.flatMap((u) => (u.kind === 'message' ? [u.data.toString()] : []));
}

describe('StreamFramer', () => {
  it('cuts two messages arriving in one chunk', () => {
    const f = new StreamFramer(65_536);
    assert.deepEqual(messages(f.push(Buffer.from(msg('one', 'body!') + msg('two')))), [msg('one', 'body!'), msg('two')]);
    assert.equal(f.pendingBytes, 0);
  });

  it('reassembles a message split into single bytes, body included', () => {
    const f = new StreamFramer(65_536);
    const whole = Buffer.from(msg('split', 'v=0\r\nx\r\n\r\n'));
    const out: string[] = [];
    for (const byte of whole) out.push(...messages(f.push(Buffer.from([byte]))));
    assert.deepEqual(out, [whole.toString()]);
  });

  it('answers CRLFCRLF keep-alives and skips a stray CRLF before a message', () => {
    const f = new StreamFramer(65_536);
    const units = f.push(Buffer.from(`\r\n\r\n${msg('a')}\r\n${msg('b')}`));
    assert.deepEqual(
      units.map((u) => u.kind),
      ['ping', 'message', 'message'],
    );
  });

  it('fails the stream on a negative, non-numeric or repeated Content-Length', () => {
    for (const head of ['Content-Length: -999', 'Content-Length: five', 'Content-Length: 13\r\nContent-Length: 5']) {
      const f = new StreamFramer(65_536);
      const units = f.push(Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\n${head}\r\n\r\nxxxxx`));
      assert.equal(units.length, 1);
      assert.equal(units[0]?.kind, 'error', head);
      assert.deepEqual(f.push(Buffer.from(msg('after'))), [], 'nothing more after a framing error');
    }
  });

  it('fails with 513 when a message, or a header section without end, exceeds the limit', () => {
    const big = new StreamFramer(100);
    const units = big.push(Buffer.from(msg('big', 'x'.repeat(200))));
    assert.deepEqual(units.map((u) => (u.kind === 'error' ? u.status : u.kind)), [513]);
    const endless = new StreamFramer(100);
    assert.deepEqual(
      endless.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n' + 'X: y\r\n'.repeat(30))).map((u) => (u.kind === 'error' ? u.status : u.kind)),
      [513],
    );
  });
});
