/**
 * Timer source of the transaction layer. Injectable so state machines can be
 * driven step by step in tests (ManualClock) instead of waiting for real time.
 */
export interface Clock {
  setTimer(ms: number, fire: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** Real time. Timers are unref'd: a pending retransmission never keeps the process alive. */
export const systemClock: Clock = {
  setTimer(ms, fire) {
    const t = setTimeout(fire, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Deterministic clock for tests: time moves only through `advance`. */
export class ManualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fire: () => void }>();

  get now(): number {
    return this.#now;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    const id = this.#seq++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fire });
    return { cancel: () => this.#timers.delete(id) };
  }

  /** Moves time forward, firing due timers in time order (timers set while firing are honoured). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.#timers) {
        if (t.at <= target && (t.at < nextAt || (t.at === nextAt && nextId !== undefined && id < nextId))) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.#timers.get(nextId);
      this.#timers.delete(nextId);
      this.#now = nextAt;
      timer?.fire();
    }
    this.#now = target;
  }
}
