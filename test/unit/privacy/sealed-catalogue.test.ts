import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidEventError, UnknownEventTypeError } from '../../../src/events/errors.ts';
import { testCatalogue } from '../../contract/test-catalogue.ts';

describe('EventCatalogue.mapSchemas', () => {
  // Wrap every schema so that a text of "x" is refused: shows which schema each call went through.
  const mapped = testCatalogue.mapSchemas((_type, schema) => schema.refine((d) => (d as { text?: unknown }).text !== 'x', { message: 'wrapped' }));

  it('given a wrapped catalogue, then current types validate through the wrapper, keep their types, and legacy reads are still upcast', () => {
    assert.deepEqual(mapped.types, testCatalogue.types);
    assert.deepEqual(mapped.encode('test.note_added.v2', { text: 'a', author: 'b' }).data, { text: 'a', author: 'b' });
    assert.throws(() => mapped.encode('test.note_added.v2', { text: 'x', author: 'b' }), InvalidEventError);
    assert.deepEqual(mapped.decode('test.note_added.v1', { text: 'old' }), { type: 'test.note_added.v2', data: { text: 'old', author: 'unknown' } });
    assert.throws(() => mapped.decode('test.note_added.v1', { text: 'x' }), InvalidEventError);
    assert.throws(() => mapped.encode('test.note_added.v1', { text: 'a' }), UnknownEventTypeError);
  });

  it('given the original catalogue, then it is unchanged by mapping', () => {
    assert.deepEqual(testCatalogue.encode('test.note_added.v2', { text: 'x', author: 'b' }).data, { text: 'x', author: 'b' });
  });
});
