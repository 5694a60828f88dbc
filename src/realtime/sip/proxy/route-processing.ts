import { hasParam } from '../grammar.ts';
import { header, Headers, type Header, type SipRequest } from '../message.ts';
import { formatNameAddr, parseNameAddrList, type NameAddr } from '../name-addr.ts';
import { err, ok, type Result } from '../result.ts';
import { isOwnUri, type ProxyIdentity } from './proxy-identity.ts';

/** Every Route value of a request, top first (one header line may hold several). */
export function routesOf(request: SipRequest): Result<NameAddr[]> {
  return parseNameAddrList(request.headers.getAll('Route'));
}

/** Replaces all Route lines by one line per value, where the first Route line was (or at the end). */
export function withRoutes(headers: Headers, routes: readonly NameAddr[]): Headers {
  const out: Header[] = [];
  let placed = false;
  const lines = (): Header[] => routes.map((r) => header('Route', formatNameAddr(r)));
  for (const h of headers.entries()) {
    if (h.key !== 'route') out.push(h);
    else if (!placed) {
      out.push(...lines());
      placed = true;
    }
  }
  if (!placed) out.push(...lines());
  return new Headers(out);
}

/**
 * Route information preprocessing (RFC 3261 §16.4):
 * - a Request-URI that is one of ours came from a strict router: the real
 *   Request-URI is the last Route value;
 * - Route values naming this proxy are removed from the top (two when we
 *   double-record-routed across transports, RFC 5658).
 */
export function preprocessRoutes(request: SipRequest, identity: ProxyIdentity): Result<SipRequest> {
  if (!request.headers.has('Route')) return ok(request);
  const parsed = routesOf(request);
  if (!parsed.ok) return err('Malformed Route Header');
  const routes = parsed.value;
  let uri = request.uri;
  if (isOwnUri(identity, uri) && routes.length > 0) {
    const last = routes.pop();
    if (last) uri = last.uri;
  }
  while (routes.length > 0 && routes[0] && isOwnUri(identity, routes[0].uri)) routes.shift();
  const headers = routes.length === 0 ? request.headers.remove('Route') : withRoutes(request.headers, routes);
  return ok({ ...request, uri, headers });
}

/**
 * RFC 3261 §16.6 step 6: a top Route without `lr` is a strict router, which
 * expects to find itself in the Request-URI: the Request-URI moves to the end
 * of the Route set and the strict router's URI takes its place.
 */
export function applyStrictRoute(request: SipRequest): SipRequest {
  const parsed = routesOf(request);
  if (!parsed.ok) return request;
  const [top, ...rest] = parsed.value;
  if (!top || top.uri.scheme === 'tel' || top.uri.scheme === 'other' || hasParam(top.uri.params, 'lr')) return request;
  const moved: NameAddr = { displayName: undefined, uri: request.uri, params: [] };
  return { ...request, uri: top.uri, headers: withRoutes(request.headers, [...rest, moved]) };
}
