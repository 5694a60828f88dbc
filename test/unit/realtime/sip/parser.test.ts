import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseMessage } from '../../../../src/realtime/sip/parser.ts';
import { serializeMessage } from '../../../../src/realtime/sip/serializer.ts';
import { parseVias } from '../../../../src/realtime/sip/via.ts';
import { parseContacts, parseNameAddr } from '../../../../src/realtime/sip/name-addr.ts';
import { formatUri, isSipUri } from '../../../../src/realtime/sip/uri.ts';
import { getParam } from '../../../../src/realtime/sip/grammar.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../../src/realtime/sip/message.ts';
import { TORTURE_CASES } from '../../../fixtures/rfc4475/outcomes.ts';

const DATAGRAM = { mode: 'datagram', maxMessageSize: 65_536 } as const;

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../fixtures/rfc4475/${name}.dat`, import.meta.url));
}

function parseOk(data: Buffer | string): SipMessage {
  const r = parseMessage(typeof data === 'string' ? Buffer.from(data) : data, DATAGRAM);
  if (!r.ok) assert.fail(`expected a parse, got: ${r.error.reason}`);
  return r.value;
}

function request(data: Buffer | string): SipRequest {
  const m = parseOk(data);
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

function response(data: Buffer | string): SipResponse {
  const m = parseOk(data);
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

describe('RFC 4475 torture messages through the parser', () => {
  for (const c of TORTURE_CASES) {
    it(`${c.name} (§${c.section}) → ${c.parse}`, () => {
      const r = parseMessage(fixture(c.name), DATAGRAM);
      assert.equal(r.ok ? 'ok' : 'error', c.parse, r.ok ? 'parsed' : r.error.reason);
    });
  }

  it('every fixture uses CRLF line endings only', () => {
    for (const c of TORTURE_CASES) {
      const text = fixture(c.name).toString('latin1');
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      assert.equal(/(^|[^\r])\n/.test(head), false, `${c.name} has a bare LF in its headers`);
    }
  });
});

describe('parser: what the valid torture messages mean', () => {
  it('wsinv: folding, compact forms, LWS, leading zeros, unknown headers', () => {
    const req = request(fixture('wsinv'));
    assert.equal(req.method, 'INVITE');
    assert.equal(formatUri(req.uri), 'sip:vivekg@chair-dnrc.example.com;unknownparam');
    const vias = parseVias(req.headers.getAll('v'));
    assert.ok(vias.ok);
    assert.deepEqual(
      vias.value.map((v) => [v.transport, v.host, getParam(v.params, 'branch')]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    const from = parseNameAddr(req.headers.get('From') ?? '');
    assert.ok(from.ok);
    assert.equal(from.value.displayName, 'J Rosenberg \\"');
    assert.equal(getParam(from.value.params, 'tag'), '98asjd8');
    const to = parseNameAddr(req.headers.get('t') ?? '');
    assert.ok(to.ok);
    assert.equal(getParam(to.value.params, 'tag'), '1918181833n');
    assert.equal(req.headers.get('CSeq'), '0009 INVITE');
    assert.equal(req.headers.get('Max-Forwards'), '0068');
    assert.equal(req.headers.get('Subject'), '');
    assert.equal(req.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
    assert.equal(req.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    const contacts = parseContacts(req.headers.getAll('Contact'));
    assert.ok(contacts.ok);
    const contact = contacts.value[0];
    assert.ok(contact && contact.kind === 'address');
    assert.equal(contact.displayName, 'Quoted string ""');
    assert.deepEqual(contact.params, [
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ]);
    assert.equal(req.body.length, 150);
  });

  it('intmeth: token method, NUL in a quoted string, UTF-8 extension header', () => {
    const req = request(fixture('intmeth'));
    assert.equal(req.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.ok(isSipUri(req.uri));
    assert.equal(req.uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(req.uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    const to = parseNameAddr(req.headers.get('To') ?? '');
    assert.ok(to.ok);
    assert.equal(to.value.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    assert.equal(req.headers.get("extensionHeader-!.%*+_`'~"), '\uFEFF大停電');
    assert.equal(req.headers.get('Call-ID'), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  });

  it('esc02: % does not escape in methods or header names', () => {
    const req = request(fixture('esc02'));
    assert.equal(req.method, 'RE%47IST%45R');
    assert.equal(req.headers.getAll('Contact').length, 2);
    assert.equal(req.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
  });

  it('longreq: 34 Vias under every spelling of the name', () => {
    const req = request(fixture('longreq'));
    const vias = parseVias(req.headers.getAll('Via'));
    assert.ok(vias.ok);
    assert.equal(vias.value.length, 34);
    assert.equal(vias.value[0]?.host, 'sip33.example.com');
    assert.equal(getParam(vias.value[33]?.params ?? [], 'received'), '192.0.2.5');
  });

  it('dblreq: bytes after Content-Length in a datagram are ignored', () => {
    const req = request(fixture('dblreq'));
    assert.equal(req.method, 'REGISTER');
    assert.equal(req.body.length, 0);
  });

  it('mpart01: a binary body is framed by Content-Length, NULs and all', () => {
    const req = request(fixture('mpart01'));
    assert.equal(req.body.length, 553);
    assert.ok(req.body.includes(0x00));
    assert.ok(req.body.subarray(-22).toString('latin1').startsWith('--7a9cbec02ceef655--'));
  });

  it('unreason and noreason: UTF-8 and empty reason phrases', () => {
    assert.equal(response(fixture('unreason')).reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    const res = response(fixture('noreason'));
    assert.equal(res.status, 100);
    assert.equal(res.reason, '');
  });
});

describe('parser: failures', () => {
  const ok = 'OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x\r\n';

  it('keeps the readable headers of a failed request so it can be answered', () => {
    const r = parseMessage(Buffer.from(`${ok}Content-Length: 20\r\n\r\nshort`), DATAGRAM);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.status, 400);
    assert.equal(r.error.reason, 'Content-Length larger than the message body');
    assert.equal(r.error.partial?.headers.get('Call-ID'), 'x');
    assert.equal(r.error.partial?.method, 'OPTIONS');
  });

  it('reports 513 for a message above the size limit', () => {
    const r = parseMessage(Buffer.from(`${ok}Content-Length: 0\r\n\r\n`), { mode: 'datagram', maxMessageSize: 50 });
    assert.equal(r.ok ? 0 : r.error.status, 513);
  });

  it('has nothing to offer for bytes without a header section', () => {
    const r = parseMessage(Buffer.from('garbage without an empty line'), DATAGRAM);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.partial, null);
  });

  it('rejects a malformed header line but keeps the others', () => {
    const r = parseMessage(Buffer.from(`${ok}Bad Header: x\r\n\r\n`), DATAGRAM);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.partial?.headers.get('Via'), 'SIP/2.0/UDP h;branch=z9hG4bK1');
  });

  it('never throws on mutated torture messages', () => {
    // Deterministic xorshift so a failure is reproducible.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = Buffer.from(' \t\r\n:;,<>"\\@%=?&/\x00\xff0z');
    for (const c of TORTURE_CASES) {
      const original = fixture(c.name);
      for (let round = 0; round < 40; round++) {
        const data = Buffer.from(original);
        for (let k = 0; k < 1 + rand(6); k++) data[rand(data.length)] = alphabet[rand(alphabet.length)] ?? 0;
        const cut = rand(4) === 0 ? data.subarray(0, rand(data.length)) : data;
        assert.doesNotThrow(() => parseMessage(cut, DATAGRAM));
        assert.doesNotThrow(() => parseMessage(cut, { mode: 'stream', maxMessageSize: 65_536 }));
      }
    }
  });
});

describe('serializer', () => {
  it('round-trips a request: same start line, headers (canonical names) and body', () => {
    for (const name of ['wsinv', 'esc01', 'longreq', 'mpart01', 'intmeth']) {
      const first = request(fixture(name));
      const again = request(serializeMessage(first));
      assert.equal(again.method, first.method, name);
      assert.equal(formatUri(again.uri), formatUri(first.uri), name);
      assert.deepEqual(
        again.headers.entries().filter((h) => h.key !== 'content-length'),
        first.headers.entries().filter((h) => h.key !== 'content-length'),
        name,
      );
      assert.ok(again.body.equals(first.body), name);
    }
  });

  it('writes compact forms in their long form and Content-Length from the body', () => {
    const req = request('OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h\r\ni: abc\r\nl: 0\r\n\r\n');
    const text = serializeMessage({ ...req, body: Buffer.from('hello') }).toString();
    assert.match(text, /\r\nVia: SIP\/2\.0\/UDP h\r\n/);
    assert.match(text, /\r\nCall-ID: abc\r\n/);
    assert.match(text, /\r\nContent-Length: 5\r\n\r\nhello$/);
    assert.equal(text.match(/Content-Length/g)?.length, 1);
  });

  it('round-trips a response with a UTF-8 reason phrase', () => {
    const first = response(fixture('unreason'));
    const again = response(serializeMessage(first));
    assert.equal(again.reason, first.reason);
    assert.equal(again.status, 200);
    assert.ok(again.body.equals(first.body));
  });
});
