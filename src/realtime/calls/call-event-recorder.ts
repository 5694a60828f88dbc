import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, type Registry } from 'prom-client';
import { DomainError } from '../../commands/domain-error.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import type { CallCommandRequest, CallCommandSink } from './call-command-sink.ts';

export type CallEventRecorderOptions = {
  readonly sink: CallCommandSink;
  /** Tries per command before it is given up (logged at error level and counted). Default 3. */
  readonly maxAttempts?: number;
  /** Pause before retry n is n × this. Default 50 ms. */
  readonly retryDelayMs?: number;
  /** Registers `chorus_call_command_failures_total` here. Default: no metrics. */
  readonly metrics?: Registry;
  readonly logger?: Logger;
};

const FAILURES_METRIC = 'chorus_call_command_failures_total';

type Queue = { tail: Promise<void>; pending: number };

/**
 * Records call commands off the signalling path: `record` returns at once and
 * the command is appended in the background, in order per call (initiated
 * before routed before ringing …), calls in parallel. A command that still fails
 * after its retries is never dropped silently: it is logged with the whole
 * command and counted (`failures`, and the prom-client counter labelled by
 * command type and `rejected` = a domain rule refused it / `error` = the
 * store or the network failed).
 */
export class CallEventRecorder {
  readonly #sink: CallCommandSink;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #log: Logger;
  readonly #counter: Counter<'command' | 'reason'> | undefined;
  readonly #queues = new Map<string, Queue>();
  #failures = 0;
  #closed = false;

  constructor(options: CallEventRecorderOptions) {
    this.#sink = options.sink;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 50;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${this.#maxAttempts}`);
    if (!(this.#retryDelayMs >= 0)) throw new RangeError(`retryDelayMs must not be negative, got ${this.#retryDelayMs}`);
    this.#log = options.logger ?? moduleLogger('call-events');
    const registry = options.metrics;
    if (registry) {
      const existing = registry.getSingleMetric(FAILURES_METRIC);
      this.#counter =
        existing instanceof Counter
          ? (existing as Counter<'command' | 'reason'>)
          : new Counter({
              name: FAILURES_METRIC,
              help: 'Call commands (call events) that could not be recorded after their retries',
              labelNames: ['command', 'reason'] as const,
              registers: [registry],
            });
    }
  }

  /** Commands given up so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Commands queued or running. */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.pending;
    return n;
  }

  /** Queues a command behind the earlier ones of the same call. Never throws. */
  record(request: CallCommandRequest): void {
    if (this.#closed) {
      this.#giveUp(request, 'error', new Error('call event recorder is closed'));
      return;
    }
    const queue = this.#queues.get(request.sipCallId) ?? { tail: Promise.resolve(), pending: 0 };
    queue.pending++;
    queue.tail = queue.tail
      .then(() => this.#run(request))
      .finally(() => {
        queue.pending--;
        if (queue.pending === 0 && this.#queues.get(request.sipCallId) === queue) this.#queues.delete(request.sipCallId);
      });
    this.#queues.set(request.sipCallId, queue);
  }

  /** Settles once every command queued so far has been recorded or given up. */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()].map((q) => q.tail));
  }

  /** Idempotent: refuses new commands and waits for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  async #run(request: CallCommandRequest): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#sink.execute(request);
        return;
      } catch (error) {
        // A domain rule answers the same way every time: retrying cannot help.
        if (error instanceof DomainError) return this.#giveUp(request, 'rejected', error);
        if (attempt >= this.#maxAttempts) return this.#giveUp(request, 'error', error);
        this.#log.warn({ err: error, sipCallId: request.sipCallId, command: request.command.type, attempt }, 'call command failed; retrying');
        await sleep(this.#retryDelayMs * attempt);
      }
    }
  }

  #giveUp(request: CallCommandRequest, reason: 'rejected' | 'error', error: unknown): void {
    this.#failures++;
    this.#counter?.inc({ command: request.command.type, reason });
    this.#log.error(
      { err: error, sipCallId: request.sipCallId, command: request.command, at: request.at.toISOString(), reason },
      'call event lost: command could not be recorded',
    );
  }
}
