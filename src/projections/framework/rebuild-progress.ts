/** Reported after every batch of a rebuild. Rates use the runner's clock and never reach the projection. */
export interface RebuildProgress {
  /** Global position the projection's tables now reflect. */
  readonly position: bigint;
  /** Head of the log as last read; grows if events are appended during the rebuild. */
  readonly head: bigint;
  /** Events read from the log per second since the rebuild started. */
  readonly eventsPerSecond: number;
  /** Time left at the current rate; null until there is a rate. */
  readonly etaSeconds: number | null;
}

export type RebuildProgressListener = (progress: RebuildProgress) => void;

/**
 * Turns "a batch of n events reached position p" into a RebuildProgress. The
 * ETA divides the positions still to go by the positions covered per second,
 * not by events per second: positions can have gaps and, with canHandle, most
 * events may be skipped, but position is what the rebuild must reach.
 */
export class RebuildProgressMeter {
  readonly #clock: () => number;
  readonly #startedAt: number;
  readonly #startPosition: bigint;
  #events = 0;
  #head: bigint;

  constructor(clock: () => number, startPosition: bigint, head: bigint) {
    this.#clock = clock;
    this.#startedAt = clock();
    this.#startPosition = startPosition;
    this.#head = head;
  }

  get head(): bigint {
    return this.#head;
  }

  /** The log grew (or the first read was stale); never moves backwards. */
  set head(head: bigint) {
    if (head > this.#head) this.#head = head;
  }

  record(events: number, position: bigint): RebuildProgress {
    this.#events += events;
    this.head = position;
    const seconds = (this.#clock() - this.#startedAt) / 1000;
    const eventsPerSecond = seconds > 0 ? this.#events / seconds : 0;
    const covered = Number(position - this.#startPosition);
    const remaining = Number(this.#head - position);
    let etaSeconds: number | null = null;
    if (remaining === 0) etaSeconds = 0;
    else if (seconds > 0 && covered > 0) etaSeconds = remaining / (covered / seconds);
    return { position, head: this.#head, eventsPerSecond, etaSeconds };
  }
}
