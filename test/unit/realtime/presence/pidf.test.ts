import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPidf, MAX_PIDF_BYTES, parsePidf, type PidfDocument, type PidfError } from '../../../../src/realtime/presence/pidf.ts';

function parsed(body: string): PidfDocument {
  const result = parsePidf(body);
  if (!result.ok) assert.fail(`expected a valid document, got ${result.error.message}`);
  return result.value;
}

function refused(body: string): PidfError {
  const result = parsePidf(body);
  if (result.ok) assert.fail(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('PIDF codec', () => {
  describe('round trip (buildPidf → parsePidf)', () => {
    it('given full aggregated presence, when built and parsed, then every field comes back', () => {
      const xml = buildPidf({
        entity: 'sip:alice@example.test',
        basic: 'open',
        note: 'In a meeting',
        activity: 'on-the-phone',
        availability: 6500,
        contact: 'sip:alice@192.0.2.10:5060',
        timestamp: new Date('2026-01-02T03:04:05Z'),
      });
      assert.deepEqual(parsed(xml), {
        entity: 'sip:alice@example.test',
        tuples: [{ id: 't1', basic: 'open', contact: 'sip:alice@192.0.2.10:5060', notes: ['In a meeting'] }],
        notes: ['In a meeting'],
        activities: ['on-the-phone'],
        availability: 6500,
      });
      assert.match(xml, /<timestamp>2026-01-02T03:04:05.000Z<\/timestamp>/);
    });

    it('given only the required fields, when built and parsed, then no note, activity or availability appears', () => {
      const doc = parsed(buildPidf({ entity: 'sip:bob@example.test', basic: 'closed' }));
      assert.deepEqual(doc, {
        entity: 'sip:bob@example.test',
        tuples: [{ id: 't1', basic: 'closed', contact: undefined, notes: [] }],
        notes: [],
        activities: [],
        availability: undefined,
      });
    });

    it('given a note with XML special characters, when built, then it is escaped and parses back unchanged', () => {
      const note = 'Out <until> 5 & "back" \'soon\'';
      const xml = buildPidf({ entity: 'sip:carol@example.test', basic: 'open', note });
      assert.doesNotMatch(xml, /<until>/);
      assert.deepEqual(parsed(xml).notes, [note]);
    });

    it('declares the PIDF, data-model, RPID and Chorus namespaces on the root', () => {
      const xml = buildPidf({ entity: 'sip:dave@example.test', basic: 'open', activity: 'away', availability: 15500 });
      assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
      assert.match(xml, /<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:chorus="urn:chorus:params:xml:ns:presence" entity="sip:dave@example.test">/);
      assert.match(xml, /<dm:person id="p1"><rpid:activities><rpid:away\/><\/rpid:activities><chorus:availability>15500<\/chorus:availability><\/dm:person>/);
    });

    it('refuses to build from invalid input (a programming error, thrown)', () => {
      assert.throws(() => buildPidf({ entity: 'alice', basic: 'open' }), /sip:, sips: or pres: URI/);
      assert.throws(() => buildPidf({ entity: 'sip:a@example.test', basic: 'open', availability: 18001 }));
    });
  });

  describe('parsing what clients publish', () => {
    it('given a client document with its own prefixes, xml:lang notes and several tuples, then it reads them all', () => {
      const doc = parsed(`<?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"
                  xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" entity="pres:erin@example.test">
          <tuple id="pc"><status><basic>open</basic></status><contact priority="0.8">sip:erin@pc.example.test</contact>
            <note xml:lang="en">At my desk</note><note xml:lang="fr">Au bureau</note></tuple>
          <tuple id="phone"><status><basic>closed</basic></status></tuple>
          <tuple id="bare"><status/></tuple>
          <note>document note</note>
          <d:person id="me"><r:activities><r:meeting/><r:busy/></r:activities><d:note>person note</d:note></d:person>
        </presence>`);
      assert.equal(doc.entity, 'pres:erin@example.test');
      assert.deepEqual(doc.tuples, [
        { id: 'pc', basic: 'open', contact: 'sip:erin@pc.example.test', notes: ['At my desk', 'Au bureau'] },
        { id: 'phone', basic: 'closed', contact: undefined, notes: [] },
        { id: 'bare', basic: undefined, contact: undefined, notes: [] },
      ]);
      assert.deepEqual(doc.notes, ['document note', 'person note']);
      assert.deepEqual(doc.activities, ['meeting', 'busy']);
      assert.equal(doc.availability, undefined);
    });

    it('given the body that test/fixtures/sipp/publish.xml sends, then it parses', () => {
      const doc = parsed(`<?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:user1@example.test">
          <tuple id="t1"><status><basic>open</basic></status><contact>sip:user1@127.0.0.1:5060</contact><note>chorus sipp</note></tuple>
          <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities><dm:note>chorus sipp</dm:note></dm:person>
        </presence>`);
      assert.equal(doc.tuples[0]?.basic, 'open');
      assert.deepEqual(doc.activities, ['busy']);
    });

    it('given a document with no tuple at all (allowed by RFC 3863), then tuples is empty', () => {
      assert.deepEqual(parsed('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:f@example.test"/>').tuples, []);
    });
  });

  describe('refusing bad bodies (the presence server answers 400)', () => {
    for (const [name, body] of [
      ['an unclosed element', '<presence entity="sip:a@example.test"><tuple id="t"><status><basic>open</basic></status></tuple>'],
      ['mismatched tags', '<presence entity="sip:a@example.test"><tuple id="t"></status></presence>'],
      ['plain text', 'I am available'],
      ['an empty body', ''],
    ] as const) {
      it(`given ${name}, then it is malformed-xml`, () => {
        assert.equal(refused(body).kind, 'malformed-xml');
      });
    }

    it('reports where the XML breaks', () => {
      const error = refused('<presence entity="sip:a@example.test">\n<tuple id="t">\n</presence>');
      assert.equal(error.kind, 'malformed-xml');
      assert.equal(error.kind === 'malformed-xml' ? error.line : undefined, 3);
    });

    it('given a DOCTYPE (entity expansion), then it is refused', () => {
      const error = refused('<!DOCTYPE presence [<!ENTITY a "aaaa">]><presence entity="sip:a@example.test"><note>&a;</note></presence>');
      assert.equal(error.kind, 'malformed-xml');
    });

    it('given a body over the size limit, then it is refused without parsing', () => {
      const error = refused(`<presence entity="sip:a@example.test"><note>${'x'.repeat(MAX_PIDF_BYTES)}</note></presence>`);
      assert.equal(error.kind, 'invalid-pidf');
      assert.match(error.message, /exceeds/);
    });

    const invalid: readonly (readonly [string, string, string])[] = [
      ['no entity', '<presence><tuple id="t"><status><basic>open</basic></status></tuple></presence>', 'presence.0.@_entity'],
      ['an entity that is not a URI', '<presence entity="alice"/>', 'presence.0.@_entity'],
      ['a basic status other than open/closed', '<presence entity="sip:a@example.test"><tuple id="t"><status><basic>maybe</basic></status></tuple></presence>', 'presence.0.tuple.0.status'],
      ['a tuple without id', '<presence entity="sip:a@example.test"><tuple><status><basic>open</basic></status></tuple></presence>', 'presence.0.tuple.0.@_id'],
      ['a tuple without status', '<presence entity="sip:a@example.test"><tuple id="t"/></presence>', 'presence.0.tuple.0.status'],
      ['an availability out of range', '<presence xmlns:c="urn:chorus:params:xml:ns:presence" entity="sip:a@example.test"><person id="p"><c:availability>99999</c:availability></person></presence>', 'presence.0.person.0'],
      ['another root element', '<status><basic>open</basic></status>', 'presence'],
    ];
    for (const [name, body, path] of invalid) {
      it(`given ${name}, then it is invalid-pidf with the issue path`, () => {
        const error = refused(body);
        assert.equal(error.kind, 'invalid-pidf', error.message);
        if (error.kind !== 'invalid-pidf') return;
        assert.ok(
          error.issues.some((issue) => issue.path.startsWith(path)),
          `expected an issue at ${path}, got ${JSON.stringify(error.issues)}`,
        );
      });
    }
  });
});
