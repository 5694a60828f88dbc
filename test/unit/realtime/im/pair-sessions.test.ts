import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PairSessions } from '../../../../src/realtime/im/pair-sessions.ts';

describe('PairSessions', () => {
  it('keys a pair the same way in both directions', () => {
    assert.equal(PairSessions.keyOf('sip:a@x', 'sip:b@x'), PairSessions.keyOf('sip:b@x', 'sip:a@x'));
    assert.notEqual(PairSessions.keyOf('sip:a@x', 'sip:b@x'), PairSessions.keyOf('sip:a@x', 'sip:c@x'));
  });

  it('runs one task per pair at a time, in order, and other pairs alongside', async () => {
    const sessions = new PairSessions();
    const log: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = sessions.run('p', async () => {
      log.push('p1 start');
      await gate;
      log.push('p1 end');
    });
    const second = sessions.run('p', async () => void log.push('p2'));
    const other = sessions.run('q', async () => void log.push('q1'));
    await other;
    assert.deepEqual(log, ['p1 start', 'q1']);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(log, ['p1 start', 'q1', 'p1 end', 'p2']);
  });

  it('a failed task fails its caller only; the next task of the pair still runs', async () => {
    const sessions = new PairSessions();
    await assert.rejects(sessions.run('p', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await sessions.run('p', () => Promise.resolve(42)), 42);
  });

  it('forgets a session only if it is still the current one', () => {
    const sessions = new PairSessions();
    sessions.set('p', { sessionId: 's2', lastActivityMs: 10 });
    sessions.forget('p', 's1');
    assert.equal(sessions.get('p')?.sessionId, 's2');
    assert.deepEqual(sessions.idleSince(9), []);
    assert.deepEqual(sessions.idleSince(10), [['p', { sessionId: 's2', lastActivityMs: 10 }]]);
    sessions.forget('p', 's2');
    assert.equal(sessions.size, 0);
  });
});
