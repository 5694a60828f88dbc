import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { EventProgress, eventsPerSecond, formatRate } from '../../../src/cli/progress.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { stream, text: () => text };
}

describe('EventProgress', () => {
  it('shows events done of total with the rate measured on the given clock', () => {
    const out = capture();
    let now = 10_000;
    const progress = new EventProgress({ label: 'rebuild presence', total: 5000, stream: out.stream, now: () => now });
    now += 2_000;
    progress.advance(3000);
    now += 2_000;
    progress.advance(2000);
    progress.stop();
    assert.equal(progress.done, 5000);
    const last = out.text().trimEnd().split('\n').at(-1) ?? '';
    // 5000 events in 4 s of the injected clock
    assert.match(last, /^rebuild presence \[=+\] 100% \| 5000\/5000 events \| 1250 events\/s \| ETA /);
  });

  it('ignores progress after stop and stops once', () => {
    const out = capture();
    const progress = new EventProgress({ label: 'export', total: 10, stream: out.stream, now: () => 0 });
    progress.advance(4);
    progress.stop();
    const afterStop = out.text();
    progress.advance(6);
    progress.stop();
    assert.equal(progress.done, 4);
    assert.equal(out.text(), afterStop);
  });
});

describe('progress arithmetic', () => {
  it('computes events per second and formats large rates compactly', () => {
    assert.equal(eventsPerSecond(500, 250), 2000);
    assert.equal(eventsPerSecond(500, 0), 0);
    assert.equal(formatRate(950.4), '950');
    assert.equal(formatRate(123_456), '123.5k');
    assert.equal(formatRate(2_500_000), '2.5M');
  });
});
