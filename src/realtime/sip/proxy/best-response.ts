import { header, Headers, type Header, type SipResponse } from '../message.ts';
import { parseVia, formatVia } from '../via.ts';

/** A branch's final answer: a real response, or a status the proxy stands in for (408 timeout, 503 transport error). */
export type BranchFinal = { readonly status: number; readonly response: SipResponse | undefined };

/** 4xx responses that tell the caller how to retry: preferred within the 4xx class (RFC 3261 §16.7 step 6). */
const ACTIONABLE_4XX = new Set([401, 407, 415, 420, 484]);

/**
 * RFC 3261 §16.7 step 6: a 6xx if any; else the lowest class received, with
 * 401/407/415/420/484 preferred among 4xx; the first received within a class.
 */
export function chooseBest(finals: readonly BranchFinal[]): BranchFinal | undefined {
  const sixxx = finals.find((f) => f.status >= 600);
  if (sixxx) return sixxx;
  let best: BranchFinal | undefined;
  for (const f of finals) {
    if (f.status < 300) continue;
    if (!best || Math.floor(f.status / 100) < Math.floor(best.status / 100)) best = f;
  }
  if (best && Math.floor(best.status / 100) === 4) return finals.find((f) => ACTIONABLE_4XX.has(f.status)) ?? best;
  return best;
}

/**
 * RFC 3261 §16.7 step 7: a 401/407 going upstream carries every challenge
 * (WWW-Authenticate and Proxy-Authenticate) from all 401/407 branches, so the
 * caller can answer every realm in one retry.
 */
export function aggregateChallenges(best: SipResponse, finals: readonly BranchFinal[]): SipResponse {
  if (best.status !== 401 && best.status !== 407) return best;
  let headers = best.headers;
  for (const f of finals) {
    if (!f.response || f.response === best || (f.status !== 401 && f.status !== 407)) continue;
    for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) {
      for (const value of f.response.headers.getAll(name)) {
        if (!headers.getAll(name).includes(value)) headers = headers.append(name, value);
      }
    }
  }
  return headers === best.headers ? best : { ...best, headers };
}

/**
 * RFC 3261 §16.7 step 3: the proxy's own Via (the top one) comes off before a
 * response goes upstream. A downstream element may have folded several Vias
 * into one line, so only the first value of the first line is removed.
 */
export function withoutTopVia(response: SipResponse): SipResponse {
  const entries = response.headers.entries();
  const i = entries.findIndex((h) => h.key === 'via');
  const line = entries[i];
  if (!line) return response;
  const parsed = parseVia(line.value);
  const rest = parsed.ok ? parsed.value.slice(1) : [];
  const replacement: Header[] = rest.length > 0 ? [header('Via', rest.map(formatVia).join(', '))] : [];
  return { ...response, headers: new Headers([...entries.slice(0, i), ...replacement, ...entries.slice(i + 1)]) };
}
