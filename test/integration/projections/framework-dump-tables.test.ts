import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dumpTables } from '../../../src/projections/framework/dump-tables.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { readModelBackends } from '../../support/projection-backends.ts';

const SCHEMA = /* sql */ `
CREATE TABLE b_people (id bigint PRIMARY KEY, name text NOT NULL, born timestamptz, tags jsonb, raw bytea);
CREATE TABLE a_flags (flag text NOT NULL, doc json);`;

const ROWS: readonly (readonly unknown[])[] = [
  [3, 'Zoë', '2001-02-03T04:05:06.000Z', { z: 1, a: [2, { y: true, b: null }] }, Buffer.from([0xde, 0xad])],
  [1, 'alice', null, null, null],
  [2, 'bob', '1999-12-31T23:59:59.000Z', { a: 'x' }, Buffer.from('hi')],
];

async function load(client: SqlClient, order: readonly number[]): Promise<void> {
  await client.exec(SCHEMA);
  for (const i of order) await client.query('INSERT INTO b_people VALUES ($1, $2, $3, $4, $5)', ROWS[i]!);
  for (const i of order) await client.query('INSERT INTO a_flags VALUES ($1, $2)', [`f${i}`, JSON.stringify({ k: i })]);
}

for (const backend of readModelBackends) {
  describe(`dumpTables (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let client: SqlClient;
    before(async () => {
      client = await backend.open();
    });
    after(async () => {
      await client.close();
    });
    beforeEach(async () => {
      await backend.reset(client);
    });

    it('does not depend on insertion order, and prints canonical rows in table-name order', async () => {
      await load(client, [0, 1, 2]);
      const first = await dumpTables(client, ['b_people', 'a_flags']);
      await backend.reset(client);
      await load(client, [2, 0, 1]);
      const second = await dumpTables(client, ['a_flags', 'b_people', 'a_flags']);
      assert.equal(second, first);
      const lines = first.trimEnd().split('\n');
      assert.equal(lines[0], '-- a_flags (flag text, doc json)');
      assert.equal(lines[4], '-- b_people (id bigint, name text, born timestamp with time zone, tags jsonb, raw bytea)');
      // Rows sorted by their text; keys sorted inside JSON values; bigint as bare digits; bytes as hex.
      assert.deepEqual(lines.slice(5), [
        '[1,"alice",null,null,null]',
        '[2,"bob","1999-12-31T23:59:59.000Z",{"a":"x"},"\\\\x6869"]',
        '[3,"Zoë","2001-02-03T04:05:06.000Z",{"a":[2,{"b":null,"y":true}],"z":1},"\\\\xdead"]',
      ]);
    });

    it('sees a changed value', async () => {
      await load(client, [0, 1, 2]);
      const before = await dumpTables(client, ['b_people']);
      await client.query(`UPDATE b_people SET name = 'Bob' WHERE id = 2`);
      assert.notEqual(await dumpTables(client, ['b_people']), before);
    });

    it('refuses an unknown table and a name that is not a plain identifier', async () => {
      await assert.rejects(dumpTables(client, ['missing_table']), /no such table/);
      await assert.rejects(dumpTables(client, ['x; DROP TABLE y']), /not a plain table name/);
    });
  });
}
