import { performance } from 'node:perf_hooks';
import { SingleBar } from 'cli-progress';

export interface EventProgressOptions {
  /** What is being done: `rebuild presence`, `export`, `replay sip:alice@example.test`. */
  readonly label: string;
  /** Events expected in all (e.g. head position minus start position). */
  readonly total: number;
  /** Default stderr, so stdout stays clean for results. */
  readonly stream?: NodeJS.WritableStream;
  /** Clock in milliseconds; default performance.now. */
  readonly now?: () => number;
}

/** Throughput so far; 0 until time has passed. */
export function eventsPerSecond(events: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (events * 1000) / elapsedMs : 0;
}

/** `12.3k` style: long rebuilds run at hundreds of thousands of events per second. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1_000_000) return `${(perSecond / 1_000_000).toFixed(1)}M`;
  if (perSecond >= 10_000) return `${(perSecond / 1_000).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/** How often a progress line is written when the stream is not a terminal (a log file, CI). */
const NOT_TTY_LINE_INTERVAL_MS = 5_000;

/**
 * Progress of a long pass over the log (rebuild, export, replay): a bar with
 * events/s and ETA on a terminal, a line every few seconds otherwise.
 */
export class EventProgress {
  readonly #bar: SingleBar;
  readonly #now: () => number;
  readonly #startedAt: number;
  #done = 0;
  #stopped = false;

  constructor(options: EventProgressOptions) {
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
    this.#bar = new SingleBar({
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}`,
      stream: options.stream ?? process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: NOT_TTY_LINE_INTERVAL_MS,
      etaBuffer: 50,
    });
    this.#bar.start(Math.max(0, options.total), 0, { rate: formatRate(0) });
  }

  get done(): number {
    return this.#done;
  }

  /** Records `events` more processed events. */
  advance(events: number): void {
    if (this.#stopped) return;
    this.#done += events;
    const rate = eventsPerSecond(this.#done, this.#now() - this.#startedAt);
    this.#bar.update(this.#done, { rate: formatRate(rate) });
  }

  /** Draws the final state and releases the terminal; idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#bar.stop();
  }
}
