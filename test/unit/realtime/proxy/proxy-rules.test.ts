import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_BODY, Headers, SIP_VERSION, type HeaderInit, type SipRequest, type SipResponse } from '../../../../src/realtime/sip/message.ts';
import { aggregateChallenges, chooseBest, withoutTopVia, type BranchFinal } from '../../../../src/realtime/sip/proxy/best-response.ts';
import { detectLoop, loopHash, proxyBranch } from '../../../../src/realtime/sip/proxy/loop-detection.ts';
import type { ProxyIdentity } from '../../../../src/realtime/sip/proxy/proxy-identity.ts';
import { applyStrictRoute, preprocessRoutes } from '../../../../src/realtime/sip/proxy/route-processing.ts';
import { checkRequest } from '../../../../src/realtime/sip/sanity.ts';
import { formatUri, parseUri } from '../../../../src/realtime/sip/uri.ts';
import { parseVia } from '../../../../src/realtime/sip/via.ts';

const me: ProxyIdentity = { advertisedHost: '10.0.0.1', listening: [{ protocol: 'udp', address: '10.0.0.1', port: 5060 }] };

function response(status: number, headers: HeaderInit[] = []): SipResponse {
  return { kind: 'response', version: SIP_VERSION, status, reason: 'x', headers: Headers.of(headers), body: EMPTY_BODY };
}

function final(status: number, headers: HeaderInit[] = []): BranchFinal {
  return { status, response: response(status, headers) };
}

function req(uri: string, headers: HeaderInit[]): SipRequest {
  const u = parseUri(uri);
  assert.ok(u.ok);
  return { kind: 'request', version: SIP_VERSION, method: 'INVITE', uri: u.value, headers: Headers.of(headers), body: EMPTY_BODY };
}

const BASE: HeaderInit[] = [
  ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKcaller'],
  ['Max-Forwards', '70'],
  ['From', '<sip:alice@example.com>;tag=a1'],
  ['To', '<sip:bob@example.com>'],
  ['Call-ID', 'c1@192.0.2.1'],
  ['CSeq', '1 INVITE'],
];

describe('best response selection (RFC 3261 §16.7 step 6)', () => {
  it('given a 6xx among others, then the 6xx is chosen', () => {
    assert.equal(chooseBest([final(486), final(603), final(302)])?.status, 603);
  });
  it('given 3xx, 4xx and 5xx, then the lowest class wins', () => {
    assert.equal(chooseBest([final(503), final(486), final(302)])?.status, 302);
  });
  it('given several 4xx, then a challenge or other actionable 4xx is preferred', () => {
    assert.equal(chooseBest([final(486), final(404), final(407)])?.status, 407);
    assert.equal(chooseBest([final(486), final(404)])?.status, 486);
  });
  it('given no final at all, then there is no best response', () => {
    assert.equal(chooseBest([]), undefined);
  });
  it('given a 401 and a 407, then the chosen one carries both challenges (step 7)', () => {
    const finals = [final(401, [['WWW-Authenticate', 'Digest realm="a"']]), final(407, [['Proxy-Authenticate', 'Digest realm="b"']]), final(486)];
    const best = chooseBest(finals);
    assert.ok(best?.response);
    const merged = aggregateChallenges(best.response, finals);
    assert.deepEqual(merged.headers.getAll('WWW-Authenticate'), ['Digest realm="a"']);
    assert.deepEqual(merged.headers.getAll('Proxy-Authenticate'), ['Digest realm="b"']);
  });
  it('given a folded Via line, then only the proxy Via value is removed', () => {
    const r = withoutTopVia(response(200, [['Via', 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKp, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc'], ['Via', 'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKd']]));
    assert.deepEqual(r.headers.getAll('Via'), ['SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc', 'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKd']);
  });
});

describe('loop detection (RFC 3261 §16.3 step 4)', () => {
  function core(r: SipRequest) {
    const c = checkRequest(r, { supportedOptionTags: new Set(), enforceRequire: false });
    assert.ok(c.ok);
    return c.value;
  }

  it('given a request carrying our Via with the same hash, then it is a loop', () => {
    const first = req('sip:bob@example.com', BASE);
    const hash = loopHash(first, core(first));
    const back = req('sip:bob@example.com', [['Via', 'SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKnext'], ['Via', `SIP/2.0/UDP 10.0.0.1:5060;branch=${proxyBranch(hash)}`], ...BASE]);
    const c = core(back);
    assert.equal(detectLoop(c.vias, me, loopHash(back, c)), 'loop');
  });
  it('given our Via but a retargeted Request-URI, then it is a spiral, not a loop', () => {
    const first = req('sip:bob@example.com', BASE);
    const hash = loopHash(first, core(first));
    const back = req('sip:bob@10.0.0.5', [['Via', `SIP/2.0/UDP 10.0.0.1;branch=${proxyBranch(hash)}`], ...BASE]);
    const c = core(back);
    assert.equal(detectLoop(c.vias, me, loopHash(back, c)), 'spiral');
  });
  it('given no Via of ours, then there is nothing to detect', () => {
    const r = req('sip:bob@example.com', BASE);
    const c = core(r);
    assert.equal(detectLoop(c.vias, me, loopHash(r, c)), 'none');
  });
  it('the branch is RFC 3261 (magic cookie) and unique per call', () => {
    const a = proxyBranch('abc');
    assert.match(a, /^z9hG4bKabc\./);
    assert.notEqual(a, proxyBranch('abc'));
    assert.ok(parseVia(`SIP/2.0/UDP h;branch=${a}`).ok);
  });
});

describe('Route processing (RFC 3261 §16.4, §16.6 step 6)', () => {
  it('given our loose Route on top, then it is removed and the Request-URI kept', () => {
    const r = preprocessRoutes(req('sip:bob@192.0.2.5', [...BASE, ['Route', '<sip:10.0.0.1;lr>, <sip:192.0.2.8;lr>']]), me);
    assert.ok(r.ok);
    assert.equal(formatUri(r.value.uri), 'sip:bob@192.0.2.5');
    assert.deepEqual(r.value.headers.getAll('Route'), ['<sip:192.0.2.8;lr>']);
  });
  it('given our URI in the Request-URI (a strict router before us), then the last Route becomes the Request-URI', () => {
    const r = preprocessRoutes(req('sip:10.0.0.1;lr', [...BASE, ['Route', '<sip:192.0.2.8;lr>'], ['Route', '<sip:bob@192.0.2.5>']]), me);
    assert.ok(r.ok);
    assert.equal(formatUri(r.value.uri), 'sip:bob@192.0.2.5');
    assert.deepEqual(r.value.headers.getAll('Route'), ['<sip:192.0.2.8;lr>']);
  });
  it('given a malformed Route, then preprocessing fails (400)', () => {
    assert.equal(preprocessRoutes(req('sip:bob@x', [...BASE, ['Route', '<sip:a b>']]), me).ok, false);
  });
  it('given a strict next hop, then the Request-URI moves to the end of the Route set', () => {
    const r = applyStrictRoute(req('sip:bob@192.0.2.5', [...BASE, ['Route', '<sip:192.0.2.8>'], ['Route', '<sip:192.0.2.9;lr>']]));
    assert.equal(formatUri(r.uri), 'sip:192.0.2.8');
    assert.deepEqual(r.headers.getAll('Route'), ['<sip:192.0.2.9;lr>', '<sip:bob@192.0.2.5>']);
  });
});
