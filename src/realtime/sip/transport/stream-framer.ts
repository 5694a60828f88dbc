/**
 * Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261
 * §18.3: on a stream, Content-Length is what frames the message). Handles two
 * messages in one chunk, one message across many chunks, and RFC 5626 §3.5.1
 * keep-alives (CRLFCRLF "ping" at a message boundary).
 */
export type FramedUnit =
  | { readonly kind: 'message'; readonly data: Buffer }
  | { readonly kind: 'ping' }
  /**
   * The stream cannot be framed any more (bad or duplicate Content-Length, too
   * large): `head` is the header section when one was read, so a 400/513 can be
   * attempted before the connection is closed.
   */
  | { readonly kind: 'error'; readonly reason: string; readonly status: 400 | 513; readonly head: Buffer | undefined };

const CR = 0x0d;
const LF = 0x0a;
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

export class StreamFramer {
  readonly #maxMessageSize: number;
  #buffer: Buffer = Buffer.alloc(0);
  /** Where to resume looking for the end of the headers, so a slow sender costs O(n) not O(n²). */
  #scanFrom = 0;
  #failed = false;

  constructor(maxMessageSize: number) {
    this.#maxMessageSize = maxMessageSize;
  }

  /** Bytes received but not yet part of a complete message. */
  get pendingBytes(): number {
    return this.#buffer.length;
  }

  /** Feeds a chunk; returns the units it completed, in order. After an error, returns nothing more. */
  push(chunk: Buffer): FramedUnit[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const units: FramedUnit[] = [];
    for (;;) {
      const unit = this.#next();
      if (unit === undefined) break;
      units.push(unit);
      if (unit.kind === 'error') {
        this.#failed = true;
        this.#buffer = Buffer.alloc(0);
        break;
      }
    }
    return units;
  }

  #next(): FramedUnit | undefined {
    const buf = this.#buffer;
    // Leading CRLFs: a double CRLF is a keep-alive ping; a single one is ignorable noise
    // (but wait for the next byte: it may be the first half of a ping).
    let i = 0;
    while (i + 1 < buf.length && buf[i] === CR && buf[i + 1] === LF) i += 2;
    if (i >= 4 && (i === buf.length || buf[i] !== CR)) {
      this.#consume(i);
      return { kind: 'ping' };
    }
    if (i > 0 && i < buf.length) {
      if (buf[i] === CR) return undefined;
      this.#consume(i);
    } else if (i > 0) {
      return undefined;
    }
    const b = this.#buffer;
    if (b.length === 0) return undefined;

    const headerEnd = b.indexOf(HEADER_END, Math.max(0, this.#scanFrom - 3));
    if (headerEnd < 0) {
      this.#scanFrom = b.length;
      if (b.length > this.#maxMessageSize) {
        return { kind: 'error', reason: 'header section exceeds the message size limit', status: 513, head: undefined };
      }
      return undefined;
    }
    const head = b.subarray(0, headerEnd + 4);
    const length = contentLength(b, headerEnd);
    if (typeof length === 'string') return { kind: 'error', reason: length, status: 400, head };
    const total = headerEnd + 4 + length;
    if (total > this.#maxMessageSize) {
      return { kind: 'error', reason: `message of ${total} bytes exceeds the limit of ${this.#maxMessageSize}`, status: 513, head };
    }
    if (b.length < total) return undefined;
    const data = b.subarray(0, total);
    this.#consume(total);
    return { kind: 'message', data };
  }

  #consume(n: number): void {
    this.#buffer = n >= this.#buffer.length ? Buffer.alloc(0) : this.#buffer.subarray(n);
    this.#scanFrom = 0;
  }
}

/**
 * Finds Content-Length (or its compact form "l") in the header section without
 * parsing the whole message. Absent means 0 — RFC 3261 requires it on streams,
 * but a header-only request without it is common and unambiguous.
 */
function contentLength(buf: Buffer, headerEnd: number): number | string {
  const text = buf.toString('latin1', 0, headerEnd);
  let found: number | undefined;
  let count = 0;
  const re = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    count++;
    const v = (m[1] ?? '').trim();
    if (!/^[0-9]{1,10}$/.test(v)) return 'Malformed Content-Length';
    found = Number(v);
  }
  if (count > 1) return 'Multiple Content-Length headers';
  return found ?? 0;
}
