import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidProjectionDefinitionError } from '../../../../src/projections/framework/errors.ts';
import { defineInMemoryView } from '../../../../src/projections/framework/in-memory-view-definition.ts';
import { defineSqlProjection, type SqlProjection } from '../../../../src/projections/framework/sql-projection.ts';
import type { TestEvent } from '../../../contract/test-catalogue.ts';

const valid: SqlProjection<TestEvent> = {
  name: 'blob_sizes',
  version: 1,
  tables: ['blob_sizes'],
  schema: 'CREATE TABLE blob_sizes (id text PRIMARY KEY, size int NOT NULL)',
  async handle() {},
};

describe('defineSqlProjection', () => {
  it('accepts a well-formed definition unchanged', () => {
    assert.equal(defineSqlProjection(valid), valid);
  });

  const cases: [string, Partial<SqlProjection<TestEvent>>, RegExp][] = [
    ['a name that is not snake_case', { name: 'BlobSizes' }, /snake_case/],
    ['version 0', { version: 0 }, /positive integer/],
    ['a fractional version', { version: 1.5 }, /positive integer/],
    ['no tables', { tables: [] }, /at least one table/],
    ['a table name needing quotes', { tables: ['blob sizes'] }, /not a snake_case identifier/],
    ['a Chorus table', { tables: ['chorus_events'] }, /belongs to Chorus/],
    ['the checkpoint table', { tables: ['chorus_projection_checkpoints'] }, /belongs to Chorus/],
    ['a table listed twice', { tables: ['a', 'a'] }, /twice/],
    ['an empty schema', { schema: '  ' }, /schema is empty/],
    ['an empty canHandle', { canHandle: [] }, /canHandle is empty/],
  ];
  for (const [what, change, message] of cases) {
    it(`rejects ${what}`, () => {
      assert.throws(
        () => defineSqlProjection({ ...valid, ...change }),
        (e: unknown) => e instanceof InvalidProjectionDefinitionError && message.test(e.message),
      );
    });
  }
});

describe('defineInMemoryView', () => {
  it('rejects a bad name and an empty canHandle', () => {
    const view = { name: 'blobs', initialState: () => 0, apply: () => [] };
    assert.equal(defineInMemoryView<TestEvent, number>(view).name, 'blobs');
    assert.throws(() => defineInMemoryView<TestEvent, number>({ ...view, name: 'Blobs!' }), InvalidProjectionDefinitionError);
    assert.throws(() => defineInMemoryView<TestEvent, number>({ ...view, canHandle: [] }), InvalidProjectionDefinitionError);
  });
});
