import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregateCache } from '../../../src/commands/aggregate-cache.ts';
import { callDecider } from '../../../src/commands/call/call-decider.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import { registrationBatchDecider } from '../../../src/realtime/registrar/registration-batch-decider.ts';

const absent = userDecider.initialState();

describe('AggregateCache', () => {
  it('gives back what it was told, per stream, and counts hits and misses', () => {
    const cache = new AggregateCache();
    assert.equal(cache.get('user-a', userDecider.evolve), undefined);
    cache.remember('user-a', userDecider.evolve, { state: absent, version: 3 });
    assert.deepEqual(cache.get('user-a', userDecider.evolve), { state: absent, version: 3 });
    assert.equal(cache.get('user-b', userDecider.evolve), undefined);
    assert.deepEqual(cache.stats, { hits: 1, misses: 2, entries: 1 });
  });

  it('shares an entry between deciders with the same evolve, never with another fold', () => {
    const cache = new AggregateCache();
    cache.remember('user-a', userDecider.evolve, { state: absent, version: 0 });
    assert.equal(registrationBatchDecider.evolve, userDecider.evolve);
    assert.deepEqual(cache.get('user-a', registrationBatchDecider.evolve), { state: absent, version: 0 });
    assert.equal(cache.get('user-a', callDecider.evolve as never), undefined);
  });

  it('keeps the newest version when a slower command reports an older one', () => {
    const cache = new AggregateCache();
    cache.remember('user-a', userDecider.evolve, { state: absent, version: 5 });
    cache.remember('user-a', userDecider.evolve, { state: absent, version: 4 });
    assert.equal(cache.get('user-a', userDecider.evolve)?.version, 5);
  });

  it('does not keep an empty stream (version null): its creation must be read, not assumed', () => {
    const cache = new AggregateCache();
    cache.remember('user-a', userDecider.evolve, { state: absent, version: null });
    assert.equal(cache.size, 0);
  });

  it('drops the least recently used entry beyond maxEntries', () => {
    const cache = new AggregateCache({ maxEntries: 2 });
    cache.remember('user-a', userDecider.evolve, { state: absent, version: 0 });
    cache.remember('user-b', userDecider.evolve, { state: absent, version: 0 });
    cache.get('user-a', userDecider.evolve); // a is now more recent than b
    cache.remember('user-c', userDecider.evolve, { state: absent, version: 0 });
    assert.equal(cache.size, 2);
    assert.ok(cache.get('user-a', userDecider.evolve));
    assert.equal(cache.get('user-b', userDecider.evolve), undefined);
    assert.ok(cache.get('user-c', userDecider.evolve));
  });

  it('forgets a stream on request', () => {
    const cache = new AggregateCache();
    cache.remember('user-a', userDecider.evolve, { state: absent, version: 0 });
    cache.forget('user-a');
    assert.equal(cache.get('user-a', userDecider.evolve), undefined);
  });

  it('refuses a nonsensical bound', () => {
    assert.throws(() => new AggregateCache({ maxEntries: 0 }), RangeError);
    assert.throws(() => new AggregateCache({ maxEntries: 1.5 }), RangeError);
  });
});
