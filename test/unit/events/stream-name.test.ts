import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidStreamNameError } from '../../../src/events/errors.ts';
import { assertValidStreamName, streamCategory, streamName } from '../../../src/events/stream-name.ts';

describe('stream names', () => {
  for (const ok of ['user-alice@example.test', 'call-0190a1b2-c3d4-7e5f-8000-000000000000', 'conf-a', 'x-é-ü', 'pool9-fe-1'])
    it(`given ${JSON.stringify(ok)}, when validated, then it is accepted`, () => {
      assert.doesNotThrow(() => assertValidStreamName(ok));
    });

  const bad: [string, unknown, RegExp][] = [
    ['no dash', 'useralice', /<category>-<id>/],
    ['an empty category', '-alice', /<category>-<id>/],
    ['an upper-case first letter', 'User-alice', /category/],
    ['a category starting with a digit', '9user-alice', /category/],
    ['a 65-character category', `${'a'.repeat(65)}-x`, /category/],
    ['an empty id', 'user-', /id must be/],
    ['a space in the id', 'user-alice smith', /id must be/],
    ['a newline in the id', 'user-alice\n', /id must be/],
    ['a 401-character id', `user-${'a'.repeat(401)}`, /id must be/],
    ['a number', 42, /must be a string/],
  ];
  for (const [name, value, message] of bad)
    it(`given ${name}, when validated, then InvalidStreamNameError says why`, () => {
      assert.throws(
        () => assertValidStreamName(value),
        (err: unknown) => err instanceof InvalidStreamNameError && message.test(err.message),
      );
    });

  it('given a category and id, when building a name, then it is "<category>-<id>" and invalid parts throw', () => {
    assert.equal(streamName('conf', 'abc-123'), 'conf-abc-123');
    assert.throws(() => streamName('Conf', 'x'), InvalidStreamNameError);
    assert.throws(() => streamName('conf', ''), InvalidStreamNameError);
  });

  it('given a name whose id contains dashes, when asking its category, then only the part before the first dash', () => {
    assert.equal(streamCategory('call-0190a1b2-c3d4'), 'call');
    assert.equal(streamCategory('nodash'), 'nodash');
  });
});
