import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedReads } from '../../../src/events/store/subscription/shared-reads.ts';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedReads', () => {
  it('callers of one key while it is in flight share one read, each with its own array', async () => {
    const reads = new SharedReads<{ n: number }>();
    const answer = deferred<{ n: number }[]>();
    let calls = 0;
    const read = (): Promise<{ n: number }[]> => {
      calls += 1;
      return answer.promise;
    };
    const a = reads.run('1:5:500', read);
    const b = reads.run('1:5:500', read);
    const other = reads.run('2:5:500', async () => [{ n: 9 }]);
    assert.equal(calls, 1);
    answer.resolve([{ n: 6 }, { n: 7 }]);
    const [ra, rb] = await Promise.all([a, b]);
    assert.deepEqual(ra, [{ n: 6 }, { n: 7 }]);
    assert.notEqual(ra, rb, 'each caller gets its own array');
    assert.equal(ra[0], rb[0], 'the decoded elements are shared');
    assert.deepEqual(await other, [{ n: 9 }]);
    assert.equal(reads.size, 0);
    // Settled reads are not cached: the next caller reads again.
    await reads.run('1:5:500', read);
    assert.equal(calls, 2);
  });

  it('a failed read fails every caller that joined it and is forgotten', async () => {
    const reads = new SharedReads<number>();
    const answer = deferred<number[]>();
    const a = reads.run('k', () => answer.promise);
    const b = reads.run('k', () => Promise.resolve([1]));
    answer.reject(new Error('connection lost'));
    await assert.rejects(a, /connection lost/);
    await assert.rejects(b, /connection lost/);
    assert.equal(reads.size, 0);
    assert.deepEqual(await reads.run('k', () => Promise.resolve([2])), [2]);
  });
});
