import { formatUri } from './uri.ts';
import type { SipMessage } from './message.ts';

/**
 * Wire form of a message. Content-Length is always written from the actual body
 * (any Content-Length header in the message is ignored), so what is sent can
 * never be mis-framed on a stream transport.
 */
export function serializeMessage(message: SipMessage): Buffer {
  let head =
    message.kind === 'request'
      ? `${message.method} ${formatUri(message.uri)} ${message.version}\r\n`
      : `${message.version} ${message.status} ${message.reason}\r\n`;
  for (const h of message.headers.entries()) {
    if (h.key === 'content-length') continue;
    head += `${h.name}: ${h.value}\r\n`;
  }
  head += `Content-Length: ${message.body.length}\r\n\r\n`;
  if (message.body.length === 0) return Buffer.from(head, 'utf8');
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + message.body.length);
  out.write(head, 0, 'utf8');
  message.body.copy(out, headBytes);
  return out;
}
