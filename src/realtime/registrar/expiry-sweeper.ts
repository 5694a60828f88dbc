import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { DomainError } from '../../commands/domain-error.ts';
import type { UserEvent } from '../../commands/user/user-state.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import { TypedEmitter } from '../../util/typed-emitter.ts';
import type { BindingLedger } from './binding-ledger.ts';

/** Which users hold bindings due for expiry; the location view implements it. */
export interface DueBindingsReader {
  /** AORs with at least one binding whose expiry is at or before `now` (ISO-8601), at most `limit`. */
  aorsWithBindingsDueBy(now: string, limit: number): readonly string[];
}

export type ExpirySweeperEvents = {
  /** One user swept: the events written (endpoint.expired.v1 and the lapses that came with it). */
  swept: [aor: string, events: readonly UserEvent[]];
  /** A sweep of one user failed; the next tick tries again. */
  failed: [aor: string, error: unknown];
};

export type ExpirySweeperOptions = {
  readonly due: DueBindingsReader;
  readonly ledger: BindingLedger;
  /** Time between sweeps. Default 15 000 ms: a dead binding is written off within 15 s of its expiry. */
  readonly intervalMs?: number;
  /** Users swept per tick at most, so one tick never monopolises the log. Default 500. */
  readonly batchSize?: number;
  /** Default: the system clock. */
  readonly now?: () => Date;
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
  readonly logger?: Logger;
};

/**
 * Writes down expiries: projections never read the clock, so a binding past its
 * time leaves the read models only when an `endpoint.expired.v1` says so. Each
 * tick asks the reader which users are due and sends each one SweepExpired
 * through the user decider, one user at a time. Ticks never overlap; a user the
 * view still lists after being swept decides to nothing and writes nothing.
 */
export class ExpirySweeper extends TypedEmitter<ExpirySweeperEvents> {
  readonly #due: DueBindingsReader;
  readonly #ledger: BindingLedger;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #now: () => Date;
  readonly #nodeId: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: ExpirySweeperOptions) {
    super();
    this.#due = options.due;
    this.#ledger = options.ledger;
    this.#intervalMs = options.intervalMs ?? 15_000;
    this.#batchSize = options.batchSize ?? 500;
    if (!(this.#intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${this.#intervalMs}`);
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.#batchSize}`);
    this.#now = options.now ?? (() => new Date());
    this.#nodeId = options.nodeId ?? hostname();
    this.#log = options.logger ?? moduleLogger('sip-registrar');
  }

  /** Starts the timer (idempotent). */
  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => void this.sweepNow(), this.#intervalMs);
    this.#timer.unref();
  }

  /** One sweep now; joins the running one if a tick is already sweeping. Never rejects. */
  sweepNow(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #sweep(): Promise<void> {
    const now = this.#now().toISOString();
    let aors: readonly string[];
    try {
      aors = this.#due.aorsWithBindingsDueBy(now, this.#batchSize);
    } catch (error) {
      this.#log.error({ err: error }, 'expiry sweep could not list due users');
      return;
    }
    for (const aor of aors) {
      if (this.#closed) return;
      try {
        const events = await this.#ledger.sweep(aor, { correlationId: `sweep:${now}`, causationId: null, actor: 'chorus:expiry-sweeper', node: this.#nodeId });
        if (events.length > 0) this.emit('swept', aor, events);
      } catch (error) {
        // A user deprovisioned meanwhile has nothing left to expire; anything else is worth a retry next tick.
        if (error instanceof DomainError && (error.code === 'deprovisioned' || error.code === 'not_provisioned')) continue;
        this.#log.warn({ err: error, aor }, 'expiry sweep of a user failed');
        this.emit('failed', aor, error);
      }
    }
  }

  /** Stops the timer and waits for a running sweep. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = undefined;
      await this.#running;
    })();
    return this.#closed;
  }
}
