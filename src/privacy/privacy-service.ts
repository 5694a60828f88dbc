import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import { handleCommand } from '../commands/command-handler.ts';
import { CommandRejectedError } from '../commands/dispatch/command-rejected-error.ts';
import { readAggregate } from '../commands/dispatch/read-aggregate.ts';
import { PrivacyCommandSchema, type PrivacyCommand } from '../commands/privacy/privacy-commands.ts';
import { privacyDecider, type PrivacyState } from '../commands/privacy/privacy-decider.ts';
import { userStreamId } from '../commands/stream-ids.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import { streamName } from '../events/stream-name.ts';
import { logger as moduleLogger, type Logger } from '../logging/logger.ts';
import type { DataKeyStore } from './data-key-store.ts';

export interface PrivacyServiceOptions {
  /** The sealing store (src/privacy/sealing-event-store.ts). */
  readonly store: EventStore<DomainEvent>;
  /** The same key store the sealing store uses, so a destroyed key leaves its cache at once. */
  readonly keys: DataKeyStore;
  /** `node` in event metadata. Default: the host name. */
  readonly node?: string;
  /** Decision instant, ISO-8601 UTC. Default: the machine clock. */
  readonly clock?: () => string;
  /** Event ids (UUIDv7). Default: `uuid`'s v7. */
  readonly newEventId?: () => string;
  /** Default `logger('privacy')`. */
  readonly logger?: Logger;
}

export interface PrivacyOutcome {
  /** Position of the event written, or the head of the log when nothing was written. */
  readonly position: bigint;
  readonly written: boolean;
}

export interface ForgetOutcome extends PrivacyOutcome {
  /** Data keys destroyed by this call (0: none was left). */
  readonly keysDestroyed: number;
}

export interface PrivacyStatus {
  readonly sipUri: string;
  readonly hold: PrivacyState['hold'];
  readonly forgottenAt: string | null;
}

/** `privacy-alice@example.test` for `sip:alice@example.test`. */
export function privacyStreamId(sipUri: string): string {
  return streamName('privacy', userStreamId(sipUri).slice('user-'.length));
}

/**
 * Legal hold and erasure ("forget") of users, over the privacy decider and
 * the data keys. Forgetting writes `privacy.user_forgotten.v1` first (refused
 * while a hold is in force, decided on the stream's version) and then destroys
 * the user's keys; nothing already in the log is rewritten. A failure between
 * the two leaves a live key that the next `forget` destroys.
 */
export class PrivacyService {
  readonly #store: EventStore<DomainEvent>;
  readonly #keys: DataKeyStore;
  readonly #node: string;
  readonly #clock: () => string;
  readonly #newEventId: () => string;
  readonly #log: Logger;

  constructor(options: PrivacyServiceOptions) {
    this.#store = options.store;
    this.#keys = options.keys;
    this.#node = options.node ?? hostname();
    this.#clock = options.clock ?? (() => new Date().toISOString());
    this.#newEventId = options.newEventId ?? uuidv7;
    this.#log = options.logger ?? moduleLogger('privacy');
  }

  async status(sipUri: string): Promise<PrivacyStatus> {
    await this.#requireKnownUser(sipUri);
    const state = await readAggregate(this.#store, privacyDecider, privacyStreamId(sipUri));
    return { sipUri, hold: state.hold, forgottenAt: state.forgottenAt };
  }

  async placeHold(sipUri: string, reason: string, actor = 'admin'): Promise<PrivacyOutcome> {
    await this.#requireKnownUser(sipUri);
    return this.#run({ type: 'PlaceLegalHold', data: { sipUri, reason } }, actor);
  }

  async releaseHold(sipUri: string, reason: string, actor = 'admin'): Promise<PrivacyOutcome> {
    await this.#requireKnownUser(sipUri);
    return this.#run({ type: 'ReleaseLegalHold', data: { sipUri, reason } }, actor);
  }

  async forget(sipUri: string, actor = 'admin'): Promise<ForgetOutcome> {
    await this.#requireKnownUser(sipUri);
    const keyIds = await this.#keys.liveKeyIdsOf(sipUri);
    const outcome = await this.#run({ type: 'ForgetUser', data: { sipUri, keyIds } }, actor);
    // Only once the decision is in the log: a hold that won the race made the append fail above.
    const destroyed = await this.#keys.destroy(sipUri);
    this.#log.info({ sipUri, keysDestroyed: destroyed.length, position: String(outcome.position) }, 'user forgotten');
    return { ...outcome, keysDestroyed: destroyed.length };
  }

  /** A user is known when their stream has an event (active or deprovisioned); else 404 `not_provisioned`. */
  async #requireKnownUser(sipUri: string): Promise<void> {
    let streamId: string;
    try {
      streamId = userStreamId(sipUri);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CommandRejectedError('invalid_command', 400, `sipUri: ${message}`, { issues: [{ path: 'sipUri', message }] });
    }
    const first = await this.#store.readStream(streamId, { limit: 1 });
    if (first.length === 0) throw new CommandRejectedError('not_provisioned', 404, `${sipUri} is not a known user`, { sipUri });
  }

  async #run(command: PrivacyCommand, actor: string): Promise<PrivacyOutcome> {
    const parsed = PrivacyCommandSchema.safeParse(command);
    if (!parsed.success) throw CommandRejectedError.invalidCommand(command.type, parsed.error);
    const outcome = await handleCommand({
      store: this.#store,
      decider: privacyDecider,
      streamId: privacyStreamId(command.data.sipUri),
      command: parsed.data,
      context: { now: this.#clock, newId: randomUUID },
      metadata: { correlationId: randomUUID(), causationId: null, actor, node: this.#node },
      newEventId: this.#newEventId,
    });
    const last = outcome.appendResult?.positions.at(-1);
    return { position: last ?? (await this.#store.headPosition()), written: last !== undefined };
  }
}
