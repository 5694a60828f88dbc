import { parse as parseSdp } from 'sdp-transform';
import { z } from 'zod';
import type { SipRequest } from '../sip/message.ts';

/** What an SDP offer in a re-INVITE says about the call. */
export type MediaState = 'held' | 'active';

const Direction = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const Connection = z.object({ ip: z.string() });
/** The parts of sdp-transform's output this module reads; anything else it found is ignored. */
const SessionSchema = z.object({
  direction: Direction.optional(),
  connection: Connection.optional(),
  media: z.array(z.object({ port: z.number().int(), direction: Direction.optional(), connection: Connection.optional() })),
});

/** RFC 2543 put a call on hold with a null connection address; some phones still do. */
const NULL_ADDRESS = '0.0.0.0';

/**
 * Hold or resume, read from an SDP offer (RFC 3264 §8.4): the call is held
 * when every active stream (port ≠ 0) is `sendonly` or `inactive` (or uses the
 * RFC 2543 null address), and active again otherwise. A media-level attribute
 * overrides the session-level one; none means `sendrecv`. Undefined when the
 * request carries no SDP offer (the offer then comes in the 2xx) or it cannot
 * be read: nothing is recorded for it.
 */
export function mediaStateOf(request: Pick<SipRequest, 'headers' | 'body'>): MediaState | undefined {
  const type = request.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/sdp' || request.body.length === 0) return undefined;
  let session: z.infer<typeof SessionSchema>;
  try {
    const parsed = SessionSchema.safeParse(parseSdp(request.body.toString('utf8')));
    if (!parsed.success) return undefined;
    session = parsed.data;
  } catch {
    return undefined;
  }
  const streams = session.media.filter((m) => m.port !== 0);
  if (streams.length === 0) return undefined;
  const held = streams.every((m) => {
    const direction = m.direction ?? session.direction ?? 'sendrecv';
    const address = m.connection?.ip ?? session.connection?.ip;
    return direction === 'sendonly' || direction === 'inactive' || address === NULL_ADDRESS;
  });
  return held ? 'held' : 'active';
}
