import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RebuildProgressMeter } from '../../../../src/projections/framework/rebuild-progress.ts';

describe('RebuildProgressMeter', () => {
  it('derives the rate from events and the ETA from positions still to cover', () => {
    let now = 1_000;
    const meter = new RebuildProgressMeter(() => now, 0n, 1_000n);
    now += 2_000;
    // 100 events read covering positions 1..400 (most skipped or filtered): 200 positions/s.
    const p = meter.record(100, 400n);
    assert.equal(p.eventsPerSecond, 50);
    assert.equal(p.etaSeconds, 3);
    assert.equal(p.head, 1_000n);
  });

  it('has no ETA before time has passed, and 0 at the head', () => {
    const now = 0;
    const meter = new RebuildProgressMeter(() => now, 0n, 10n);
    assert.equal(meter.record(5, 5n).etaSeconds, null);
    assert.equal(meter.record(5, 10n).etaSeconds, 0);
  });

  it('never lets the head fall behind the position or move backwards', () => {
    const meter = new RebuildProgressMeter(() => 0, 0n, 10n);
    assert.equal(meter.record(20, 20n).head, 20n);
    meter.head = 5n;
    assert.equal(meter.head, 20n);
    meter.head = 30n;
    assert.equal(meter.head, 30n);
  });
});
