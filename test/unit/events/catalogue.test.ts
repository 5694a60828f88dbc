import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { EventCatalogue, parseEventType } from '../../../src/events/catalogue.ts';
import { InvalidEventError, UnknownEventTypeError } from '../../../src/events/errors.ts';
import { testCatalogue } from '../../contract/test-catalogue.ts';

/** Three generations of one family: v1 → v2 → v3, each step its own upcaster. */
const threeGenerations = EventCatalogue.create({
  current: { 'call.ended.v3': z.strictObject({ callId: z.string(), reason: z.enum(['hangup', 'timeout']), seconds: z.number() }) },
  legacy: {
    'call.ended.v1': z.strictObject({ callId: z.string() }),
    'call.ended.v2': z.strictObject({ callId: z.string(), reason: z.enum(['hangup', 'timeout']) }),
  },
  upcasters: [
    { from: 'call.ended.v1', upcast: (d) => ({ ...(d as object), reason: 'hangup' }) },
    { from: 'call.ended.v2', upcast: (d) => ({ ...(d as object), seconds: 0 }) },
  ],
});

describe('parseEventType', () => {
  it('given <area>.<name>.v<N>, when parsed, then family and version come back', () => {
    assert.deepEqual(parseEventType('presence.state_published.v12'), { family: 'presence.state_published', version: 12 });
  });

  for (const bad of ['presence.state', 'Presence.x.v1', 'presence.x.v0', 'presence.x.V1', 'presence.x.v01', 'a.b.c.v1', ''])
    it(`given ${JSON.stringify(bad)}, when parsed, then it is rejected`, () => {
      assert.equal(parseEventType(bad), null);
    });
});

describe('EventCatalogue.encode (the write path)', () => {
  it('given a current type with valid data, when encoded, then the parsed data comes back', () => {
    assert.deepEqual(testCatalogue.encode('test.note_added.v2', { text: 't', author: 'a' }), {
      type: 'test.note_added.v2',
      data: { text: 't', author: 'a' },
    });
  });

  it('given a legacy type, when encoded, then UnknownEventTypeError names the version to write instead', () => {
    assert.throws(
      () => testCatalogue.encode('test.note_added.v1', { text: 't' }),
      (err: unknown) => err instanceof UnknownEventTypeError && /superseded by test\.note_added\.v2/.test(err.message),
    );
  });

  it('given a type the catalogue does not know, when encoded, then UnknownEventTypeError', () => {
    assert.throws(() => testCatalogue.encode('test.nothing.v1', {}), UnknownEventTypeError);
  });

  it('given data failing the schema, when encoded, then InvalidEventError lists the failing paths', () => {
    assert.throws(
      () => testCatalogue.encode('test.note_added.v2', { text: 1, author: 'a', extra: true }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidEventError);
        assert.equal(err.eventType, 'test.note_added.v2');
        assert.ok(err.issues.some((i) => i.path.join('.') === 'text'));
        assert.match(err.message, /text:/);
        return true;
      },
    );
  });
});

describe('EventCatalogue.decode (the read path)', () => {
  it('given a legacy v1 event, when decoded, then the upcaster turns it into v2', () => {
    assert.deepEqual(testCatalogue.decode('test.note_added.v1', { text: 'old' }), {
      type: 'test.note_added.v2',
      data: { text: 'old', author: 'unknown' },
    });
  });

  it('given a v1 event two generations old, when decoded, then each upcaster runs in turn up to v3', () => {
    assert.deepEqual(threeGenerations.decode('call.ended.v1', { callId: 'c1' }), {
      type: 'call.ended.v3',
      data: { callId: 'c1', reason: 'hangup', seconds: 0 },
    });
    assert.deepEqual(threeGenerations.decode('call.ended.v2', { callId: 'c2', reason: 'timeout' }), {
      type: 'call.ended.v3',
      data: { callId: 'c2', reason: 'timeout', seconds: 0 },
    });
  });

  it('given a current event, when decoded, then it is validated and returned as is', () => {
    assert.throws(() => threeGenerations.decode('call.ended.v3', { callId: 'c' }), InvalidEventError);
    assert.deepEqual(threeGenerations.decode('call.ended.v3', { callId: 'c', reason: 'hangup', seconds: 3 }).data, {
      callId: 'c',
      reason: 'hangup',
      seconds: 3,
    });
  });

  it('given legacy data that fails its own legacy schema, when decoded, then InvalidEventError names the legacy type', () => {
    assert.throws(
      () => threeGenerations.decode('call.ended.v1', { callId: 7 }),
      (err: unknown) => err instanceof InvalidEventError && err.eventType === 'call.ended.v1',
    );
  });

  it('given a stored type the catalogue does not know, when decoded, then UnknownEventTypeError', () => {
    assert.throws(() => testCatalogue.decode('test.gone.v1', {}), UnknownEventTypeError);
  });
});

describe('EventCatalogue.create (definition errors)', () => {
  const schema = z.object({});
  const cases: { name: string; def: Parameters<typeof EventCatalogue.create>[0]; message: RegExp }[] = [
    { name: 'a type without version', def: { current: { 'test.note': schema } }, message: /must look like/ },
    { name: 'an upper-case area', def: { current: { 'Test.note.v1': schema } }, message: /must look like/ },
    { name: 'version 0', def: { current: { 'test.note.v0': schema } }, message: /must look like/ },
    {
      name: 'two current versions of one family',
      def: { current: { 'test.note.v1': schema, 'test.note.v2': schema } },
      message: /two current versions of test\.note/,
    },
    {
      name: 'a badly named legacy type',
      def: { current: { 'test.note.v2': schema }, legacy: { 'test.note.1': schema } },
      message: /must look like/,
    },
    {
      name: 'a legacy type without a current version',
      def: { current: { 'test.note.v2': schema }, legacy: { 'test.other.v1': schema }, upcasters: [] },
      message: /has no current version/,
    },
    {
      name: 'a legacy type not older than the current one',
      def: { current: { 'test.note.v2': schema }, legacy: { 'test.note.v3': schema } },
      message: /is not older than/,
    },
    {
      name: 'a legacy type without upcaster',
      def: { current: { 'test.note.v2': schema }, legacy: { 'test.note.v1': schema } },
      message: /has no upcaster/,
    },
    {
      name: 'an upcaster from a non-legacy type',
      def: { current: { 'test.note.v2': schema }, upcasters: [{ from: 'test.note.v2', upcast: (d) => d }] },
      message: /not a legacy type/,
    },
  ];
  for (const c of cases)
    it(`given ${c.name}, when the catalogue is created, then it refuses with a message saying why`, () => {
      assert.throws(() => EventCatalogue.create(c.def), c.message);
    });

  it('given a valid definition, when created, then types lists the current versions sorted and has() knows legacy ones', () => {
    assert.deepEqual(testCatalogue.types, ['test.blob_stored.v1', 'test.counter_bumped.v1', 'test.note_added.v2']);
    assert.equal(testCatalogue.has('test.note_added.v1'), true);
    assert.equal(testCatalogue.has('test.note_added.v3'), false);
  });
});
