/** Event name → the listener's argument tuple, e.g. `{ changed: [keys: readonly string[]] }`. */
export type EventMap<Events> = { [K in keyof Events]: readonly unknown[] };

type Listener<Args extends readonly unknown[]> = (...args: Args) => void;

export interface TypedEmitterOptions {
  /**
   * Called when a listener throws. Default: `process.emitWarning`. The emitter
   * keeps going either way, so one bad listener cannot break the code that
   * emitted (e.g. a view in the middle of applying a batch).
   */
  readonly onListenerError?: (error: unknown, event: string) => void;
}

/**
 * A minimal, typed event emitter (mediasoup's `EnhancedEventEmitter` idea
 * without inheriting Node's): listeners are checked against the event map at
 * compile time, and there is no special `error` event that throws when unheard.
 * Listeners run synchronously, in registration order.
 */
export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #listeners: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};
  readonly #onListenerError: (error: unknown, event: string) => void;

  constructor(options: TypedEmitterOptions = {}) {
    this.#onListenerError =
      options.onListenerError ??
      ((error, event) => process.emitWarning(`listener of "${event}" threw: ${error instanceof Error ? error.message : String(error)}`));
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    let set = this.#listeners[event];
    if (!set) {
      set = new Set();
      this.#listeners[event] = set;
    }
    set.add(listener);
    return this;
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const wrapper: Listener<Events[K]> = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    this.#listeners[event]?.delete(listener);
    return this;
  }

  /** Returns whether anyone was listening. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const set = this.#listeners[event];
    if (!set || set.size === 0) return false;
    // A copy, so listeners added or removed while emitting take effect next time.
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, String(event));
      }
    }
    return true;
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners[event]?.size ?? 0;
  }

  removeAllListeners(): void {
    for (const key of Object.keys(this.#listeners) as (keyof Events)[]) delete this.#listeners[key];
  }
}
