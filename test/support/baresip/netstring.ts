/**
 * Netstrings (`<length>:<bytes>,`, https://cr.yp.to/proto/netstrings.txt), the framing of
 * baresip's ctrl_tcp module. Lengths count bytes, so frames are cut from Buffers, not strings.
 */
export function encodeNetstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

/** Accumulates TCP chunks and yields each complete frame once. */
export class NetstringDecoder {
  #pending: Buffer = Buffer.alloc(0);

  /** Returns the frames completed by `chunk`; throws on a malformed frame (the stream is then unusable). */
  push(chunk: Buffer): string[] {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    const frames: string[] = [];
    for (;;) {
      const colon = this.#pending.indexOf(0x3a);
      if (colon < 0) {
        if (this.#pending.length > 10) throw new Error('netstring: no length prefix within 10 bytes');
        return frames;
      }
      const lengthText = this.#pending.subarray(0, colon).toString('ascii');
      if (!/^\d+$/.test(lengthText)) throw new Error(`netstring: bad length prefix ${JSON.stringify(lengthText)}`);
      const length = Number(lengthText);
      const end = colon + 1 + length;
      if (this.#pending.length < end + 1) return frames;
      if (this.#pending[end] !== 0x2c) throw new Error('netstring: frame not terminated by ","');
      frames.push(this.#pending.subarray(colon + 1, end).toString('utf8'));
      this.#pending = this.#pending.subarray(end + 1);
    }
  }
}
