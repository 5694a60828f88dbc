import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PositionWaiters } from '../../../../src/projections/framework/position-waiters.ts';

const timeoutError = (reached: bigint) => new Error(`timed out at ${reached}`);

describe('PositionWaiters', () => {
  it('resolves at once for a position already reached, and later ones on advance', async () => {
    const waiters = new PositionWaiters();
    waiters.advance(5n);
    await waiters.wait(5n, 1_000, timeoutError);
    const order: string[] = [];
    const at7 = waiters.wait(7n, 10_000, timeoutError).then(() => order.push('7'));
    const at9 = waiters.wait(9n, 10_000, timeoutError).then(() => order.push('9'));
    waiters.advance(8n);
    await at7;
    assert.deepEqual(order, ['7']);
    waiters.advance(9n);
    await at9;
    assert.deepEqual(order, ['7', '9']);
  });

  it('rejects with the caller-built error on timeout, carrying the position reached', async () => {
    const waiters = new PositionWaiters();
    waiters.advance(3n);
    await assert.rejects(waiters.wait(4n, 5, timeoutError), /timed out at 3/);
  });

  it('reset moves back without releasing waiters; rejectAll rejects them', async () => {
    const waiters = new PositionWaiters();
    waiters.advance(10n);
    waiters.reset(0n);
    assert.equal(waiters.position, 0n);
    const pending = waiters.wait(10n, 10_000, timeoutError);
    waiters.rejectAll(new Error('closed'));
    await assert.rejects(pending, /closed/);
    // Nothing is left parked: a later advance has no one to release.
    waiters.advance(10n);
  });
});
