import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedSerialQueue } from '../../../src/util/keyed-serial-queue.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSerialQueue', () => {
  it('runs tasks of one key one at a time, in order, and tasks of other keys alongside', async () => {
    const queue = new KeyedSerialQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run('a', task('a1')), queue.run('a', task('a2')), queue.run('b', task('b1'))]);
    assert.deepEqual(results, ['a1', 'a2', 'b1']);
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'), 'a2 starts only after a1 ended');
    assert.ok(log.indexOf('start b1') < log.indexOf('end a1'), 'b1 did not wait for key a');
    assert.equal(most, 2);
  });

  it('a failing task rejects its caller but does not stop the next one; drained keys are dropped', async () => {
    const queue = new KeyedSerialQueue();
    const failed = queue.run('a', () => Promise.reject(new Error('boom')));
    const next = queue.run('a', async () => 'still runs');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'still runs');
    await tick();
    assert.equal(queue.size, 0);
  });
});
