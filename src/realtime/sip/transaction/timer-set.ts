import type { Clock, TimerHandle } from './clock.ts';

/** The named timers of one transaction; `clear` on termination leaves nothing behind. */
export class TimerSet {
  readonly #clock: Clock;
  readonly #timers = new Map<string, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  start(name: string, ms: number, fire: () => void): void {
    this.#timers.get(name)?.cancel();
    this.#timers.set(
      name,
      this.#clock.setTimer(ms, () => {
        this.#timers.delete(name);
        fire();
      }),
    );
  }

  stop(name: string): void {
    this.#timers.get(name)?.cancel();
    this.#timers.delete(name);
  }

  has(name: string): boolean {
    return this.#timers.has(name);
  }

  clear(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }
}
