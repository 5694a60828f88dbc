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

/** A measurement taken elsewhere (the projection runner, a server's status), drawn as it is. */
export interface ProgressReport {
  /** Events (or positions) done so far. */
  readonly done: number;
  /** What `done` must reach; may grow while the work runs (the log keeps growing). */
  readonly total: number;
  /** The producer's own rate; default: measured here from `done` on this clock. */
  readonly eventsPerSecond?: number;
  /** The producer's own estimate; default: what is left at the rate. null: unknown. */
  readonly etaSeconds?: number | null;
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

/** `42s`, `3m05s`, `2h07m`; `?` while there is no rate to estimate from. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Time left for `remaining` at `rate` per second; null without a rate. */
export function etaSeconds(remaining: number, rate: number): number | null {
  if (remaining <= 0) return 0;
  return rate > 0 ? remaining / rate : null;
}

/** How often a progress line is written when the stream is not a terminal (a log file, CI). */
const NOT_TTY_LINE_INTERVAL_MS = 5_000;

/**
 * Progress of a long pass over the log (rebuild, export, replay): a bar with
 * events/s and ETA on a terminal, a line every few seconds otherwise.
 *
 * The ETA is computed here on the injected clock rather than by cli-progress,
 * whose estimate reads Date.now and cannot take a producer's own figure.
 */
export class EventProgress {
  readonly #bar: SingleBar;
  readonly #now: () => number;
  readonly #startedAt: number;
  #total: number;
  #done = 0;
  #stopped = false;

  constructor(options: EventProgressOptions) {
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
    this.#total = Math.max(0, options.total);
    this.#bar = new SingleBar({
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_text}`,
      stream: options.stream ?? process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: NOT_TTY_LINE_INTERVAL_MS,
    });
    this.#bar.start(this.#total, 0, { rate: formatRate(0), eta_text: formatEta(null) });
  }

  get done(): number {
    return this.#done;
  }

  /** Records `events` more processed events. */
  advance(events: number): void {
    if (this.#stopped) return;
    this.report({ done: this.#done + events, total: this.#total });
  }

  /** Draws a measurement as reported; `done` never moves backwards on screen. */
  report(report: ProgressReport): void {
    if (this.#stopped) return;
    this.#done = Math.max(this.#done, report.done);
    const total = Math.max(report.total, this.#done);
    if (total !== this.#total) {
      this.#total = total;
      this.#bar.setTotal(total);
    }
    const rate = report.eventsPerSecond ?? eventsPerSecond(this.#done, this.#now() - this.#startedAt);
    const eta = report.etaSeconds === undefined ? etaSeconds(this.#total - this.#done, rate) : report.etaSeconds;
    this.#bar.update(this.#done, { rate: formatRate(rate), eta_text: formatEta(eta) });
  }

  /** Draws the final state and releases the terminal; idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#bar.stop();
  }
}
