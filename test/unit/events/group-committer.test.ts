import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommitter, GroupCommitterClosedError } from '../../../src/events/store/sql/group-committer.ts';

/** A commit function that records each batch and can be told to fail batches containing an item. */
function recorder(poison?: string) {
  const batches: string[][] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  return {
    batches,
    hold(): void {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
    commit: async (items: readonly string[]): Promise<string[]> => {
      batches.push([...items]);
      if (gate) await gate;
      if (poison !== undefined && items.includes(poison)) throw new Error(`batch with ${poison} failed`);
      return items.map((i) => `ok:${i}`);
    },
  };
}

describe('GroupCommitter', () => {
  it('given calls arriving while a batch is in flight, when it commits, then they leave together in the next batch, each with its own result', async () => {
    const db = recorder();
    const committer = new GroupCommitter(db.commit, () => 1, { maxItems: 100, maxBytes: 1000 });
    db.hold();
    const first = committer.submit('a');
    await Promise.resolve();
    await Promise.resolve();
    const rest = ['b', 'c', 'd'].map((x) => committer.submit(x));
    db.release();
    assert.deepEqual(await Promise.all([first, ...rest]), ['ok:a', 'ok:b', 'ok:c', 'ok:d']);
    assert.deepEqual(db.batches, [['a'], ['b', 'c', 'd']]);
  });

  it('given more queued items than the caps allow, when draining, then batches respect maxItems and maxBytes but a big item still goes alone', async () => {
    const db = recorder();
    const committer = new GroupCommitter(db.commit, (s: string) => s.length, { maxItems: 2, maxBytes: 5 });
    const results = await Promise.all(['a', 'b', 'c', 'dddd', 'eeeeeeee', 'f'].map((x) => committer.submit(x)));
    assert.equal(results.length, 6);
    assert.deepEqual(db.batches, [['a', 'b'], ['c', 'dddd'], ['eeeeeeee'], ['f']]);
  });

  it('given a batch that fails as a whole, when retried one by one, then only the poisonous item fails', async () => {
    const db = recorder('bad');
    const committer = new GroupCommitter(db.commit, () => 1, { maxItems: 10, maxBytes: 100 });
    const results = await Promise.allSettled(['x', 'bad', 'y'].map((i) => committer.submit(i)));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['ok:x', 'batch with bad failed', 'ok:y'],
    );
    assert.deepEqual(db.batches, [['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('given queued items, when closed, then they still commit, later submits are refused and close is idempotent', async () => {
    const db = recorder();
    const committer = new GroupCommitter(db.commit, () => 1, { maxItems: 10, maxBytes: 100 });
    const pending = committer.submit('a');
    await Promise.all([committer.close(), committer.close()]);
    assert.equal(await pending, 'ok:a');
    await assert.rejects(committer.submit('late'), GroupCommitterClosedError);
  });
});
