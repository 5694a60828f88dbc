import type { AggregatedPresence } from '../../projections/presence/presence-inputs.ts';
import { buildPidf } from './pidf-builder.ts';
import { pidfPresenceOf } from './presence-document.ts';

/**
 * One presentity's shown state at one instant, with its PIDF document built
 * at most once. A change to a popular presentity NOTIFYs every watcher with
 * the same document, so the notifier aggregates and serialises it once per
 * change rather than once per watcher (1,000 watchers: 1,000 XML builds).
 */
export class PresenceSnapshot {
  readonly presentity: string;
  readonly presence: AggregatedPresence;
  readonly at: Date;
  #body: string | undefined;

  constructor(presentity: string, presence: AggregatedPresence, at: Date) {
    this.presentity = presentity;
    this.presence = presence;
    this.at = at;
  }

  /** The PIDF document (RFC 3863) watchers are sent, timestamped `at`. */
  get body(): string {
    this.#body ??= buildPidf(pidfPresenceOf(this.presentity, this.presence, this.at));
    return this.#body;
  }
}
