import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedEmitter } from '../../../../src/util/typed-emitter.ts';

interface Events {
  changed: [keys: readonly string[], position: bigint];
  closed: [];
}

describe('TypedEmitter', () => {
  it('calls listeners in registration order with the emitted arguments', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    emitter.on('changed', (keys, position) => seen.push(`first ${keys.join('+')}@${position}`));
    emitter.on('changed', (keys) => seen.push(`second ${keys.length}`));
    assert.equal(emitter.emit('changed', ['a', 'b'], 7n), true);
    assert.deepEqual(seen, ['first a+b@7', 'second 2']);
  });

  it('once fires a single time; off removes; emit reports whether anyone listened', () => {
    const emitter = new TypedEmitter<Events>();
    let onceCalls = 0;
    let onCalls = 0;
    const listener = () => (onCalls += 1);
    emitter.once('closed', () => (onceCalls += 1));
    emitter.on('closed', listener);
    emitter.emit('closed');
    emitter.emit('closed');
    assert.equal(onceCalls, 1);
    assert.equal(onCalls, 2);
    emitter.off('closed', listener);
    assert.equal(emitter.listenerCount('closed'), 0);
    assert.equal(emitter.emit('closed'), false);
  });

  it('a throwing listener is reported and does not stop the others', () => {
    const errors: string[] = [];
    const emitter = new TypedEmitter<Events>({ onListenerError: (e, event) => errors.push(`${event}: ${(e as Error).message}`) });
    let reached = false;
    emitter.on('closed', () => {
      throw new Error('bad listener');
    });
    emitter.on('closed', () => (reached = true));
    emitter.emit('closed');
    assert.equal(reached, true);
    assert.deepEqual(errors, ['closed: bad listener']);
  });

  it('a listener added while emitting runs from the next emit on', () => {
    const emitter = new TypedEmitter<Events>();
    let late = 0;
    emitter.once('closed', () => emitter.on('closed', () => (late += 1)));
    emitter.emit('closed');
    assert.equal(late, 0);
    emitter.emit('closed');
    assert.equal(late, 1);
    emitter.removeAllListeners();
    assert.equal(emitter.listenerCount('closed'), 0);
  });
});
