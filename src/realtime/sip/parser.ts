import { isToken } from './grammar.ts';
import { canonicalHeaderName, headerKey } from './header-names.ts';
import { EMPTY_BODY, Headers, type Header, type SipMessage } from './message.ts';
import { err, ok, type Result } from './result.ts';
import { parseUri } from './uri.ts';

/**
 * Datagram: one UDP packet; Content-Length may be absent (body = rest), bytes past
 * Content-Length are ignored (RFC 3261 §18.3), a Content-Length past the end is an error.
 * Stream: exactly one message cut by the stream framer.
 */
export type ParseMode = 'datagram' | 'stream';

export type ParseOptions = {
  readonly mode: ParseMode;
  /** Messages above this many bytes fail with status 513. */
  readonly maxMessageSize: number;
};

/** What could be read of a message that failed to parse: enough, perhaps, to answer it. */
export type PartialMessage = {
  readonly startLine: string;
  readonly isRequest: boolean;
  /** First token of a request line (used to never answer an ACK). */
  readonly method: string | undefined;
  readonly headers: Headers;
};

export type ParseFailure = {
  readonly reason: string;
  /** The status a server answers with when it can build a response from `partial`. */
  readonly status: 400 | 505 | 513;
  readonly partial: PartialMessage | null;
};

const CRLF = 0x0a0d; // little-endian "\r\n" as read by readUInt16LE
const STATUS_LINE = /^SIP\/(\d+\.\d+) ([1-6]\d\d) (.*)$/s;
const VERSION = /^SIP\/\d+\.\d+$/;

function fail(reason: string, status: 400 | 505 | 513, partial: PartialMessage | null): { ok: false; error: ParseFailure } {
  return err({ reason, status, partial });
}

/** Offset just past any CRLFs that precede the start line (RFC 3261 §7.5 says ignore them). */
export function skipLeadingCrlf(data: Buffer, from = 0): number {
  let i = from;
  while (i + 1 < data.length && data.readUInt16LE(i) === CRLF) i += 2;
  return i;
}

/**
 * Parses one SIP message. Never throws: malformed input yields `err` with a
 * reason, the status to answer with, and whatever part of the message was readable.
 */
export function parseMessage(data: Buffer, options: ParseOptions): Result<SipMessage, ParseFailure> {
  const start = skipLeadingCrlf(data);
  const headerEnd = data.indexOf('\r\n\r\n', start, 'latin1');
  if (headerEnd < 0) return fail('no empty line after the headers', 400, null);

  const lines = data.toString('utf8', start, headerEnd).split('\r\n');
  const startLine = lines[0] ?? '';
  const isRequest = !startLine.startsWith('SIP/');
  const firstSpace = startLine.indexOf(' ');
  const method = isRequest && firstSpace > 0 ? startLine.slice(0, firstSpace) : undefined;

  const headerResult = readHeaderLines(lines);
  const headers = new Headers(headerResult.headers);
  const partial: PartialMessage = { startLine, isRequest, method, headers };
  if (headerResult.error !== undefined) return fail(headerResult.error, 400, partial);

  if (data.length > options.maxMessageSize) {
    return fail(`message of ${data.length} bytes exceeds the limit of ${options.maxMessageSize}`, 513, partial);
  }

  const bodyStart = headerEnd + 4;
  const available = data.length - bodyStart;
  const lengths = headers.getAll('Content-Length');
  let body: Buffer = EMPTY_BODY;
  if (lengths.length > 1) return fail('Multiple Content-Length headers', 400, partial);
  if (lengths.length === 1) {
    const text = lengths[0] ?? '';
    if (!/^[0-9]{1,10}$/.test(text)) return fail('Malformed Content-Length', 400, partial);
    const length = Number(text);
    if (length > available) return fail('Content-Length larger than the message body', 400, partial);
    if (options.mode === 'stream' && length < available) return fail('bytes after the body in a framed message', 400, partial);
    if (length > 0) body = data.subarray(bodyStart, bodyStart + length);
  } else if (available > 0) {
    body = data.subarray(bodyStart);
  }

  if (!isRequest) {
    const m = STATUS_LINE.exec(startLine);
    if (!m) return fail('Malformed Status-Line', 400, partial);
    return ok({
      kind: 'response',
      version: `SIP/${m[1] ?? ''}`,
      status: Number(m[2]),
      reason: m[3] ?? '',
      headers,
      body,
    });
  }

  // Request-Line = Method SP Request-URI SP SIP-Version: exactly two single spaces
  // (RFC 4475 §3.1.2.8-10: LWS inside the URI, doubled or trailing SP are rejected).
  const parts = startLine.split(' ');
  if (parts.length !== 3) return fail('Malformed Request-Line', 400, partial);
  const [m, uriText, version] = parts as [string, string, string];
  if (!isToken(m)) return fail('Malformed Request-Line: method is not a token', 400, partial);
  if (!VERSION.test(version)) return fail('Malformed Request-Line: bad SIP-Version', 400, partial);
  const uri = parseUri(uriText);
  if (!uri.ok) return fail(`Malformed Request-URI: ${uri.error}`, 400, partial);
  return ok({ kind: 'request', method: m, uri: uri.value, version, headers, body });
}

/**
 * Turns header lines into entries: unfolds continuation lines (a line starting
 * with SP/HTAB continues the previous one; the fold becomes a single SP) and
 * splits "name HCOLON value". A malformed line is reported but the others are
 * still returned, so a 400 can echo Via/From/To/Call-ID/CSeq.
 */
function readHeaderLines(lines: readonly string[]): { headers: Header[]; error: string | undefined } {
  const headers: Header[] = [];
  let error: string | undefined;
  let current: string | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    const name = colon > 0 ? current.slice(0, colon).replace(/[ \t]+$/, '') : '';
    if (!isToken(name)) {
      error ??= `Malformed header line ${JSON.stringify(current.slice(0, 40))}`;
    } else {
      // Only SP/HTAB are LWS: String#trim would also eat a U+FEFF that belongs to the value.
      headers.push({ name: canonicalHeaderName(name), key: headerKey(name), value: trimWs(current.slice(colon + 1)) });
    }
    current = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) {
      if (current === undefined) error ??= 'continuation line before the first header';
      else current = current.replace(/[ \t]+$/, '') + ' ' + trimWs(line);
      continue;
    }
    flush();
    current = line;
  }
  flush();
  return { headers, error };
}

function trimWs(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}
