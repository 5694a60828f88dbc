import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import type { CallCommandRequest, CallCommandSink } from '../../../../src/realtime/calls/call-command-sink.ts';
import { CallEventRecorder } from '../../../../src/realtime/calls/call-event-recorder.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

const metadata = { correlationId: 'c', causationId: null, actor: 'sip:alice@example.test', node: 'n' };

function ring(sipCallId: string): CallCommandRequest {
  return { sipCallId, command: { type: 'MarkCallRinging', data: {} }, at: new Date(0), metadata };
}
function end(sipCallId: string): CallCommandRequest {
  return { sipCallId, command: { type: 'EndCall', data: { cause: 'completed' } }, at: new Date(0), metadata };
}

/** Records what it executed; fails the scripted number of times per command type first. */
class ScriptedSink implements CallCommandSink {
  readonly executed: string[] = [];
  readonly attempts: string[] = [];
  constructor(readonly failures: Map<string, () => Error> = new Map(), readonly failCount = Infinity) {}
  #failed = new Map<string, number>();
  async execute(request: CallCommandRequest): Promise<void> {
    const key = `${request.sipCallId}:${request.command.type}`;
    this.attempts.push(key);
    // Let other calls' commands interleave, as a real store would.
    await new Promise((resolve) => setImmediate(resolve));
    const fail = this.failures.get(request.command.type);
    const n = this.#failed.get(key) ?? 0;
    if (fail && n < this.failCount) {
      this.#failed.set(key, n + 1);
      throw fail();
    }
    this.executed.push(key);
  }
}

describe('CallEventRecorder', () => {
  it('records in order per call while calls proceed independently', async () => {
    const sink = new ScriptedSink();
    const recorder = new CallEventRecorder({ sink, logger: silentLogger });
    recorder.record(ring('a'));
    recorder.record(ring('b'));
    recorder.record(end('a'));
    recorder.record(end('b'));
    await recorder.idle();
    assert.deepEqual(sink.executed.filter((k) => k.startsWith('a:')), ['a:MarkCallRinging', 'a:EndCall']);
    assert.deepEqual(sink.executed.filter((k) => k.startsWith('b:')), ['b:MarkCallRinging', 'b:EndCall']);
    assert.equal(recorder.failures, 0);
    assert.equal(recorder.pending, 0);
  });

  it('retries a store failure and then succeeds, keeping later commands of the call behind it', async () => {
    const sink = new ScriptedSink(new Map([['MarkCallRinging', () => new Error('connection reset')]]), 2);
    const recorder = new CallEventRecorder({ sink, retryDelayMs: 1, logger: silentLogger });
    recorder.record(ring('a'));
    recorder.record(end('a'));
    await recorder.idle();
    assert.deepEqual(sink.attempts, ['a:MarkCallRinging', 'a:MarkCallRinging', 'a:MarkCallRinging', 'a:EndCall']);
    assert.deepEqual(sink.executed, ['a:MarkCallRinging', 'a:EndCall']);
    assert.equal(recorder.failures, 0);
  });

  it('never loses a command silently: given up commands are counted, in prom-client too', async () => {
    const registry = new Registry();
    const sink = new ScriptedSink(
      new Map<string, () => Error>([
        ['MarkCallRinging', () => new DomainError('call_ended', 'ended')],
        ['EndCall', () => new Error('store down')],
      ]),
    );
    const recorder = new CallEventRecorder({ sink, maxAttempts: 2, retryDelayMs: 1, metrics: registry, logger: silentLogger });
    recorder.record(ring('a'));
    recorder.record(end('a'));
    await recorder.idle();
    // A domain refusal is final at once; a store failure after its attempts.
    assert.deepEqual(sink.attempts, ['a:MarkCallRinging', 'a:EndCall', 'a:EndCall']);
    assert.equal(recorder.failures, 2);
    const metric = await registry.getSingleMetricAsString('chorus_call_command_failures_total');
    assert.match(metric, /chorus_call_command_failures_total\{command="MarkCallRinging",reason="rejected"\} 1/);
    assert.match(metric, /chorus_call_command_failures_total\{command="EndCall",reason="error"\} 1/);

    await recorder.close();
    recorder.record(end('b'));
    assert.equal(recorder.failures, 3, 'a command after close is counted, not dropped quietly');
    assert.equal(sink.attempts.length, 3);
  });
});
