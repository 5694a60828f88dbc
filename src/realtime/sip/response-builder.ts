import { getParam } from './grammar.ts';
import { defaultReason, EMPTY_BODY, Headers, SIP_VERSION, type HeaderInit, type SipResponse } from './message.ts';
import { parseNameAddr } from './name-addr.ts';
import { formatVia, type Via } from './via.ts';

export type ResponseOptions = {
  /** Extra headers, appended after the copied ones. */
  readonly headers?: readonly HeaderInit[];
  readonly body?: Buffer | string;
  /** Added to To when the request's To has no tag and status > 100 (RFC 3261 §8.2.6.2). */
  readonly toTag?: string;
  /** Parsed Vias (top stamped with received/rport); when absent the raw Via lines are copied. */
  readonly vias?: readonly Via[];
};

/**
 * Builds a response to a request from its headers (RFC 3261 §8.2.6.2): Via,
 * From, To, Call-ID and CSeq copied (Record-Route too for dialog-creating
 * responses), a To tag added when needed. Works from raw headers so the engine
 * can answer a request whose headers did not all parse.
 */
export function buildResponse(requestHeaders: Headers, status: number, reason: string | undefined, options: ResponseOptions = {}): SipResponse {
  const entries: Array<readonly [string, string]> = [];
  if (options.vias) for (const via of options.vias) entries.push(['Via', formatVia(via)]);
  else for (const v of requestHeaders.getAll('Via')) entries.push(['Via', v]);
  const from = requestHeaders.get('From');
  if (from !== undefined) entries.push(['From', from]);
  const to = requestHeaders.get('To');
  if (to !== undefined) entries.push(['To', withToTag(to, status, options.toTag)]);
  const callId = requestHeaders.get('Call-ID');
  if (callId !== undefined) entries.push(['Call-ID', callId]);
  const cseq = requestHeaders.get('CSeq');
  if (cseq !== undefined) entries.push(['CSeq', cseq]);
  if (status > 100 && status < 300) for (const rr of requestHeaders.getAll('Record-Route')) entries.push(['Record-Route', rr]);
  if (options.headers) entries.push(...options.headers);
  const body = options.body === undefined ? EMPTY_BODY : typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  const phrase = reason === undefined ? defaultReason(status) : sanitizeReason(reason);
  return { kind: 'response', version: SIP_VERSION, status, reason: phrase, headers: Headers.of(entries), body };
}

/**
 * Reason-Phrase allows reserved, unreserved, escaped, UTF-8 and SP/HTAB only
 * (RFC 3261 §25.1): parse-error details may quote the offending input, so
 * anything else is dropped rather than put on the wire.
 */
export function sanitizeReason(reason: string): string {
  return reason.replace(/[^\p{L}\p{N} \t;/?:@&=+$,\-_.!~*'()%]/gu, '').slice(0, 120);
}

function withToTag(to: string, status: number, tag: string | undefined): string {
  if (status === 100 || tag === undefined) return to;
  const parsed = parseNameAddr(to);
  // A To we cannot parse is echoed untouched: appending to garbage helps nobody.
  if (!parsed.ok || getParam(parsed.value.params, 'tag') != null) return to;
  return `${to};tag=${tag}`;
}
