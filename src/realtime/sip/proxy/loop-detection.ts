import { createHash } from 'node:crypto';
import { newTag } from '../ids.ts';
import { getParam } from '../grammar.ts';
import type { SipRequest } from '../message.ts';
import { tagOf } from '../name-addr.ts';
import type { RequestCore } from '../sanity.ts';
import { formatUri } from '../uri.ts';
import { MAGIC_COOKIE, type Via } from '../via.ts';
import { isOwnAddress, type ProxyIdentity } from './proxy-identity.ts';

/**
 * The loop-detection part of our branch (RFC 3261 §16.6 step 8): a hash of
 * what identifies this request at this hop — the Request-URI as received,
 * To tag, From tag, Call-ID, CSeq number, Proxy-Require and
 * Proxy-Authorization.
 *
 * RFC 3261's example hash also covers the topmost Via. That cannot work: when
 * the request comes back around a loop its topmost Via is the previous hop's,
 * not the original sender's, so the hash would never match and every loop
 * would look like a spiral until Max-Forwards runs out (the flaw RFC 5393
 * discusses). It is left out; uniqueness per branch comes from the suffix.
 */
export function loopHash(request: SipRequest, core: RequestCore): string {
  const h = createHash('md5');
  const parts = [
    formatUri(request.uri),
    tagOf(core.to) ?? '',
    tagOf(core.from) ?? '',
    core.callId,
    String(core.cseq.seq),
    request.headers.getAll('Proxy-Require').join(','),
    request.headers.getAll('Proxy-Authorization').join(','),
  ];
  for (const part of parts) h.update(part).update('\n');
  return h.digest('hex').slice(0, 20);
}

/** A branch carrying the loop hash, made unique per client transaction by a suffix. */
export function proxyBranch(hash: string): string {
  return `${MAGIC_COOKIE}${hash}.${newTag()}`;
}

function hashOfBranch(branch: string): string | undefined {
  if (!branch.startsWith(MAGIC_COOKIE)) return undefined;
  const dot = branch.indexOf('.', MAGIC_COOKIE.length);
  return dot < 0 ? undefined : branch.slice(MAGIC_COOKIE.length, dot);
}

/**
 * RFC 3261 §16.3 step 4: a Via of ours with the same hash means the request
 * came back unchanged (a loop: 482); with another hash it was retargeted and
 * is a legitimate spiral.
 */
export function detectLoop(vias: readonly Via[], identity: ProxyIdentity, hash: string): 'loop' | 'spiral' | 'none' {
  let spiral = false;
  for (const via of vias) {
    if (!isOwnAddress(identity, via.host, via.port, via.transport)) continue;
    const branch = getParam(via.params, 'branch');
    const previous = branch ? hashOfBranch(branch) : undefined;
    if (previous === hash) return 'loop';
    if (previous !== undefined) spiral = true;
  }
  return spiral ? 'spiral' : 'none';
}
