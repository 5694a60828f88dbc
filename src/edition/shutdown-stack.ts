import type { Logger } from '../logging/logger.ts';

/** Anything the edition opens and must close on the way out: the event store, projection runner, SIP engine, HTTP server. */
export interface Closeable {
  close(): Promise<void>;
}

/**
 * Closes what was opened in reverse order (the HTTP server before the event
 * store it writes to). Every part is closed even if an earlier one fails; the
 * first failure is rethrown after. Idempotent: a second close() returns the
 * first one's promise.
 */
export class ShutdownStack {
  readonly #log: Logger;
  readonly #parts: { readonly name: string; readonly part: Closeable }[] = [];
  #closing: Promise<void> | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  push(name: string, part: Closeable): void {
    if (this.#closing) throw new Error(`cannot add ${name}: shutdown has begun`);
    this.#parts.push({ name, part });
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    let firstFailure: unknown;
    let failed = false;
    for (const { name, part } of [...this.#parts].reverse()) {
      try {
        await part.close();
        this.#log.debug({ part: name }, 'closed');
      } catch (error) {
        this.#log.error({ err: error, part: name }, 'close failed');
        if (!failed) firstFailure = error;
        failed = true;
      }
    }
    if (failed) throw firstFailure;
  }
}
