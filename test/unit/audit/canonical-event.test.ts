import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { GENESIS_HASH, canonicalEvent, chainHash, eventHash, schemaVersionOf, type StoredEventText } from '../../../src/audit/canonical-event.ts';
import { checkpointMessage } from '../../../src/audit/checkpoint-message.ts';

const EVENT: StoredEventText = {
  position: '42',
  eventId: '01936f3e-5a1b-7c2d-8e4f-0123456789ab',
  streamId: 'user-alice@example.test',
  streamVersion: '7',
  type: 'presence.published.v2',
  data: '{"note": "in \\"the\\" office", "state": "busy"}',
  metadata: '{"node": "fe1", "actor": "sip:alice@example.test", "recordedAt": "2026-11-26T09:30:00.123456Z"}',
  recordedAt: '2026-11-26T09:30:00.123456Z',
};

describe('canonical event form', () => {
  it('is a JSON object with its keys in code-unit order and the jsonb text embedded verbatim', () => {
    const text = canonicalEvent(EVENT);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(parsed);
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual(keys, ['data', 'eventId', 'metadata', 'position', 'recordedAt', 'schemaVersion', 'streamId', 'streamVersion', 'type']);
    assert.equal(parsed['position'], '42');
    assert.equal(parsed['schemaVersion'], 2);
    assert.ok(text.includes(`"data":${EVENT.data},`), 'data is the stored jsonb text, not re-serialised');
  });

  it('is exactly this text (a verifier in another language must produce the same bytes)', () => {
    assert.equal(
      canonicalEvent(EVENT),
      '{"data":{"note": "in \\"the\\" office", "state": "busy"},"eventId":"01936f3e-5a1b-7c2d-8e4f-0123456789ab",' +
        '"metadata":{"node": "fe1", "actor": "sip:alice@example.test", "recordedAt": "2026-11-26T09:30:00.123456Z"},' +
        '"position":"42","recordedAt":"2026-11-26T09:30:00.123456Z","schemaVersion":2,"streamId":"user-alice@example.test",' +
        '"streamVersion":"7","type":"presence.published.v2"}',
    );
  });

  it('hashes with SHA-256 of the UTF-8 text; the chain links hex to hex from 64 zeros', () => {
    const expected = createHash('sha256').update(Buffer.from(canonicalEvent(EVENT), 'utf8')).digest('hex');
    assert.equal(eventHash(EVENT), expected);
    assert.equal(GENESIS_HASH, '0'.repeat(64));
    assert.equal(chainHash(GENESIS_HASH, expected), createHash('sha256').update(`${'0'.repeat(64)}${expected}`).digest('hex'));
  });

  it('changes with every field that is hashed', () => {
    const base = eventHash(EVENT);
    const variants: Partial<StoredEventText>[] = [
      { position: '43' },
      { eventId: '01936f3e-5a1b-7c2d-8e4f-0123456789ac' },
      { streamId: 'user-bob@example.test' },
      { streamVersion: '8' },
      { type: 'presence.published.v3' },
      { data: '{"note": "in \\"the\\" office", "state": "away"}' },
      { metadata: '{"node": "fe2", "actor": "sip:alice@example.test", "recordedAt": "2026-11-26T09:30:00.123456Z"}' },
      { recordedAt: null },
    ];
    for (const v of variants) assert.notEqual(eventHash({ ...EVENT, ...v }), base, JSON.stringify(v));
  });

  it('reads the schema version from the type, null when the type does not follow <area>.<name>.v<N>', () => {
    assert.equal(schemaVersionOf('call.ended.v1'), 1);
    assert.equal(schemaVersionOf('call.ended.v12'), 12);
    assert.equal(schemaVersionOf('call.ended'), null);
    assert.equal(schemaVersionOf('call.ended.v0'), null);
    assert.ok(canonicalEvent({ ...EVENT, type: 'legacy' }).includes('"schemaVersion":null'));
  });

  it('escapes stream ids and types as JSON strings', () => {
    const text = canonicalEvent({ ...EVENT, streamId: 'user-"quoted"\\\n', recordedAt: null });
    assert.equal((JSON.parse(text) as { streamId: string }).streamId, 'user-"quoted"\\\n');
    assert.ok(text.includes('"recordedAt":null'));
  });

  it('signs position and chain hash with a fixed purpose, keys in order', () => {
    const message = checkpointMessage(1000n, 'ab'.repeat(32));
    assert.equal(message, `{"chainHash":"${'ab'.repeat(32)}","position":"1000","purpose":"chorus.audit.checkpoint.v1"}`);
  });
});
