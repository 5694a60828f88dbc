import type { EventShape, RecordedEvent } from '../../events/envelope.ts';
import type { EventStore, EventSubscription } from '../../events/event-store.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import { TypedEmitter } from '../../util/typed-emitter.ts';
import {
  InvalidProjectionDefinitionError,
  ProjectionFailedError,
  ProjectionStoppedError,
  ProjectionTimeoutError,
} from './errors.ts';
import { validateInMemoryView, type InMemoryViewDefinition } from './in-memory-view-definition.ts';
import { PositionWaiters } from './position-waiters.ts';
import type { ProjectionState, ProjectionStatus } from './projection-status.ts';
import { replayFromStart, type ViewSeed } from './view-seed.ts';

const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 10_000;

export interface ViewChange<K> {
  /** Keys changed by the batch, each once, in first-change order. */
  readonly keys: readonly K[];
  /** Global position the state reflects after the batch. */
  readonly position: bigint;
}

export interface InMemoryViewEvents<K> {
  /** After a batch that changed something; the state already reflects it. */
  changed: [change: ViewChange<K>];
  /** The view reached the head of the log (first time and after each live batch). */
  live: [position: bigint];
  /** The view stopped; its state is no longer trustworthy (an apply may have stopped half-way). */
  failed: [error: Error];
}

export interface InMemoryViewOptions<E extends EventShape, S, K> {
  readonly store: EventStore<E>;
  readonly definition: InMemoryViewDefinition<E, S, K>;
  /** Starting state. Default: replay from 0 (`replayFromStart`). See `seedFromSqlProjection`. */
  readonly seed?: ViewSeed<S>;
  /** Default 500, at most 10,000. */
  readonly batchSize?: number;
  readonly logger?: Logger;
}

/**
 * Hot-path state in memory, fed by its own store subscription: `apply` runs
 * for every handled event, `position` follows the log (skipped events advance
 * it too, so `waitForPosition` works for any append), and `changed` tells
 * readers (e.g. presence NOTIFY) which keys moved, once per batch.
 *
 * Read `state` freely; never mutate it from outside.
 */
export class InMemoryView<E extends EventShape, S, K = string> extends TypedEmitter<InMemoryViewEvents<K>> {
  readonly #store: EventStore<E>;
  readonly #definition: InMemoryViewDefinition<E, S, K>;
  readonly #handles: ReadonlySet<string> | null;
  readonly #seed: ViewSeed<S>;
  readonly #batchSize: number;
  readonly #log: Logger;
  readonly #waiters = new PositionWaiters();
  #state: S;
  #status: ProjectionState = 'stopped';
  #error: Error | null = null;
  #subscription: EventSubscription | null = null;
  #starting: Promise<void> | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: InMemoryViewOptions<E, S, K>) {
    const log = (options.logger ?? moduleLogger('projections')).child({ view: options.definition.name });
    super({ onListenerError: (err, event) => log.warn({ err, event }, 'view listener threw') });
    this.#definition = validateInMemoryView(options.definition);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
      throw new InvalidProjectionDefinitionError(this.#definition.name, `batchSize must be in 1..${MAX_BATCH_SIZE}`);
    this.#store = options.store;
    this.#handles = this.#definition.canHandle ? new Set(this.#definition.canHandle) : null;
    this.#seed = options.seed ?? replayFromStart(() => this.#definition.initialState());
    this.#batchSize = batchSize;
    this.#log = log;
    this.#state = this.#definition.initialState();
  }

  get name(): string {
    return this.#definition.name;
  }

  /** The current state; owned by the view, read-only for everyone else. */
  get state(): S {
    return this.#state;
  }

  get position(): bigint {
    return this.#waiters.position;
  }

  /** Lifecycle of the view (`state` is taken by the data it holds). */
  get phase(): ProjectionState {
    return this.#status;
  }

  /** Loads the seed and subscribes after its position; resolves once subscribed. Idempotent. */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async status(): Promise<ProjectionStatus> {
    const head = await this.#store.headPosition();
    const position = this.#waiters.position;
    return {
      name: this.name,
      kind: 'memory',
      version: null,
      position,
      head,
      lag: head > position ? head - position : 0n,
      state: this.#status,
      ...(this.#error ? { error: this.#error.message } : {}),
    };
  }

  /** Resolves once the state reflects `position`; rejects on timeout, failure or close. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (position <= this.#waiters.position) return Promise.resolve();
    if (this.#status === 'failed') return Promise.reject(new ProjectionFailedError(this.name, this.#error));
    if (this.#closed) return Promise.reject(new ProjectionStoppedError(this.name));
    return this.#waiters.wait(position, timeoutMs, (reached) => new ProjectionTimeoutError(this.name, position, reached, timeoutMs));
  }

  /** Idempotent. The state stays readable (frozen at its last position). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#starting?.catch(() => undefined);
      const subscription = this.#subscription;
      this.#subscription = null;
      if (subscription) {
        await subscription.close();
        await subscription.done.catch(() => undefined);
      }
      if (this.#status !== 'failed') this.#status = 'stopped';
      this.#waiters.rejectAll(new ProjectionStoppedError(this.name));
    })();
    return this.#closing;
  }

  async #start(): Promise<void> {
    if (this.#closed) throw new ProjectionStoppedError(this.name);
    const snapshot = await this.#seed();
    if (this.#closed) throw new ProjectionStoppedError(this.name);
    this.#state = snapshot.state;
    this.#waiters.reset(snapshot.position);
    this.#status = 'catching_up';
    const subscription = this.#store.subscribe(
      {
        after: snapshot.position,
        batchSize: this.#batchSize,
        onCaughtUp: (position) => {
          if (this.#status === 'catching_up') this.#log.info({ position }, 'view caught up; live');
          this.#status = 'live';
          this.emit('live', position);
        },
      },
      async (events) => this.#applyBatch(events),
    );
    this.#subscription = subscription;
    subscription.done.catch((error: unknown) => this.#fail(error));
  }

  #applyBatch(events: readonly RecordedEvent<E>[]): void {
    const changed = new Set<K>();
    for (const event of events) {
      if (this.#handles !== null && !this.#handles.has(event.type)) continue;
      const keys = this.#definition.apply(this.#state, event);
      if (keys) for (const key of keys) changed.add(key);
    }
    const position = events.at(-1)!.globalPosition;
    // Listeners see the new state before waiters resume: both observe the same position.
    if (changed.size > 0) this.emit('changed', { keys: [...changed], position });
    this.#waiters.advance(position);
  }

  #fail(cause: unknown): void {
    if (this.#closed) return;
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.#status = 'failed';
    this.#error = error;
    this.#subscription = null;
    this.#log.error({ err: error, position: this.#waiters.position }, 'view failed; stopped');
    this.#waiters.rejectAll(new ProjectionFailedError(this.name, error));
    this.emit('failed', error);
  }
}
