import { ContentTypeSchema, MAX_MESSAGE_BODY } from '../../events/domain/im-events.ts';
import type { HeaderInit, SipRequest } from '../sip/message.ts';

/**
 * What a MESSAGE body is, once checked against what Chorus accepts:
 * - `message`: a text to record (`im.message_sent.v1`) and deliver;
 * - `indication`: an RFC 3994 is-composing notice, delivered but never recorded
 *   (it says someone is typing, not what they said);
 * - `reject`: answer with this status and write nothing.
 */
export type ImContent =
  | { readonly kind: 'message'; readonly contentType: string; readonly text: string }
  | { readonly kind: 'indication' }
  | { readonly kind: 'reject'; readonly status: 400 | 413 | 415; readonly reason: string; readonly headers: readonly HeaderInit[] };

/**
 * 16 KiB. RFC 3428 §7 caps a MESSAGE at 1300 bytes over congestion-unsafe
 * paths (UDP) and leaves the rest to the UAC; over TCP/TLS clients may send
 * more. 16 KiB is plenty for chat text (pasted logs included) and keeps one
 * `im.message_sent.v1` small. It can be raised up to MAX_MESSAGE_BODY.
 */
export const DEFAULT_MAX_IM_BODY_BYTES = 16_384;

/** The upper bound of `maxBodyBytes`: a decoded body must fit the event schema (chars ≤ bytes). */
export const MAX_IM_BODY_BYTES = MAX_MESSAGE_BODY;

const IS_COMPOSING = 'application/im-iscomposing+xml';

/** What a 415 advertises (RFC 3261 §21.4.13): any text/* type, CPIM, is-composing notices. */
export const ACCEPTED_IM_TYPES = ['text/plain', 'text/*', 'message/cpim', IS_COMPOSING] as const;

/**
 * Charsets decoded for text/* bodies. A missing charset means UTF-8 (RFC 3428
 * §9 requires UTF-8 support; RFC 3261 §7.4.1's Latin-1 default for text/* is
 * honoured by naming it). message/cpim is UTF-8 by definition (RFC 3862 §3.1).
 */
const CHARSETS: Readonly<Record<string, string>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
};

/**
 * Checks a MESSAGE's body (RFC 3428 §7, §8; RFC 3261 §7.4, §8.2.3) in this order:
 * 1. no body → 400: a MESSAGE carries its content in the body;
 * 2. larger than `maxBodyBytes` → 413 (RFC 3428 §7);
 * 3. no Content-Type → 400 (RFC 3261 §7.4.1 makes it mandatory with a body);
 * 4. a Content-Encoding other than identity → 415 with Accept-Encoding (§8.2.3);
 * 5. anything but text/*, message/cpim and the is-composing type → 415 with
 *    Accept. RFC 3428 §9 only mandates text/plain; every textual type (HTML,
 *    enriched text) is accepted too because it can be kept in a text event
 *    and relayed unchanged, while binary types (images, files) cannot be
 *    archived as text and are refused;
 * 6. an unknown charset → 415; bytes invalid in their charset → 400.
 */
export function classifyImContent(request: Pick<SipRequest, 'headers' | 'body'>, maxBodyBytes: number): ImContent {
  const body = request.body;
  if (body.length === 0) return reject(400, 'Empty MESSAGE');
  if (body.length > maxBodyBytes) return reject(413, 'Request Entity Too Large');
  const contentType = request.headers.get('Content-Type')?.trim();
  if (contentType === undefined || contentType === '') return reject(400, 'Missing Content-Type');
  const encoding = request.headers.get('Content-Encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return reject(415, 'Unsupported Content-Encoding', [['Accept-Encoding', 'identity']]);
  }
  if (!ContentTypeSchema.safeParse(contentType).success) return reject(400, 'Malformed Content-Type');
  const { mediaType, charset } = parseMediaType(contentType);
  if (mediaType === IS_COMPOSING) return { kind: 'indication' };
  const textual = mediaType.startsWith('text/') || mediaType === 'message/cpim';
  if (!textual) return reject(415, 'Unsupported Media Type', [['Accept', ACCEPTED_IM_TYPES.join(', ')]]);
  const decoder = CHARSETS[mediaType === 'message/cpim' ? 'utf-8' : (charset ?? 'utf-8')];
  if (decoder === undefined) return reject(415, 'Unsupported Charset', [['Accept', 'text/plain;charset=utf-8, message/cpim']]);
  const text = decode(body, decoder);
  if (text === undefined) return reject(400, `Body Is Not Valid ${charset ?? 'UTF-8'}`);
  return { kind: 'message', contentType, text };
}

function reject(status: 400 | 413 | 415, reason: string, headers: readonly HeaderInit[] = []): ImContent {
  return { kind: 'reject', status, reason, headers };
}

/** `Text/Plain; charset="UTF-8"` → { mediaType: 'text/plain', charset: 'utf-8' }. */
function parseMediaType(value: string): { mediaType: string; charset: string | undefined } {
  const [type = '', ...params] = value.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

function decode(body: Buffer, charset: string): string | undefined {
  if (charset === 'latin1') return body.toString('latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}
