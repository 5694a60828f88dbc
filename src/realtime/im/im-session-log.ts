import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import { handleCommand, type CommandMetadata } from '../../commands/command-handler.ts';
import { DomainError } from '../../commands/domain-error.ts';
import type { ImCommand } from '../../commands/im/im-commands.ts';
import { imDecider } from '../../commands/im/im-decider.ts';
import { imStreamId } from '../../commands/stream-ids.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { ImSessionIdSchema } from '../../events/domain/im-events.ts';
import type { EventStore } from '../../events/event-store.ts';

export type ImSessionLogOptions = {
  readonly store: EventStore<DomainEvent>;
  /** Default: the system clock. */
  readonly now?: () => Date;
  /** Message ids. Default: UUIDv7. */
  readonly newId?: () => string;
  /** Fresh session ids when a Call-ID cannot name one. Default: random UUIDs. */
  readonly newSessionId?: () => string;
  /** The node's aggregate cache, shared with its other command paths. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
};

/** A message to record: who sent what to whom, and whether its text is kept. */
export type LoggedMessage = {
  readonly sender: string;
  readonly recipient: string;
  readonly contentType: string;
  readonly text: string;
  readonly archive: boolean;
};

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly sipStatus: number }
  /** `sipStatus` null: no final response from the recipient (timeout, transport error, not forwarded). */
  | { readonly kind: 'failed'; readonly sipStatus: number | null; readonly reason: string };

/** Codes meaning "this session cannot take the message": start another one. */
const SESSION_GONE = new Set(['session_not_found', 'session_ended', 'not_a_participant']);

/**
 * The IM aggregate as the SIP plane writes it: every call goes through the IM
 * decider (`handleCommand`), so the SIP path obeys the same rules as the API.
 */
export class ImSessionLog {
  readonly #store: EventStore<DomainEvent>;
  readonly #now: () => Date;
  readonly #newId: () => string;
  readonly #newSessionId: () => string;
  readonly #aggregates: AggregateCache | undefined;

  constructor(options: ImSessionLogOptions) {
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? uuidv7;
    this.#newSessionId = options.newSessionId ?? randomUUID;
    this.#aggregates = options.aggregates;
  }

  /**
   * Appends `im.message_sent.v1` to `openSession` when it can still take it;
   * otherwise opens a session (named after `callId` when that id is free and
   * valid) with the message in the same append. Resolves once committed.
   */
  async send(
    message: LoggedMessage,
    openSession: string | undefined,
    callId: string,
    metadata: CommandMetadata,
  ): Promise<{ sessionId: string; messageId: string; started: boolean }> {
    const input = { sender: message.sender, recipients: [message.recipient], contentType: message.contentType, body: message.text, archive: message.archive };
    if (openSession !== undefined) {
      try {
        const messageId = await this.#sent(openSession, { type: 'SendImMessage', data: input }, metadata);
        return { sessionId: openSession, messageId, started: false };
      } catch (error) {
        if (!(error instanceof DomainError && SESSION_GONE.has(error.code))) throw error;
      }
    }
    // A client that reuses its Call-ID across sessions finds the first session's id taken: the next one gets a UUID.
    const candidates = ImSessionIdSchema.safeParse(callId).success ? [callId, this.#newSessionId()] : [this.#newSessionId()];
    for (const [i, sessionId] of candidates.entries()) {
      const command: ImCommand = {
        type: 'StartImSession',
        data: { sessionId, initiator: message.sender, invitees: [message.recipient], message: input },
      };
      try {
        const messageId = await this.#sent(sessionId, command, metadata);
        return { sessionId, messageId, started: true };
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'session_exists' && i < candidates.length - 1)) throw error;
      }
    }
    throw new Error('unreachable: the last session id candidate either succeeds or throws');
  }

  /** Records what became of a message for one recipient; a second outcome for it writes nothing. */
  async outcome(sessionId: string, messageId: string, recipient: string, outcome: DeliveryOutcome, metadata: CommandMetadata): Promise<void> {
    const command: ImCommand =
      outcome.kind === 'delivered'
        ? { type: 'MarkImDelivered', data: { messageId, recipient, sipStatus: outcome.sipStatus } }
        : {
            type: 'MarkImFailed',
            data: { messageId, recipient, ...(outcome.sipStatus === null ? {} : { sipStatus: outcome.sipStatus }), reason: outcome.reason.slice(0, 256) },
          };
    await this.#run(sessionId, command, metadata);
  }

  /** Ends a session; one already ended is left as it is. */
  async end(sessionId: string, reason: string, metadata: CommandMetadata): Promise<void> {
    try {
      await this.#run(sessionId, { type: 'EndImSession', data: { reason } }, metadata);
    } catch (error) {
      if (!(error instanceof DomainError && (error.code === 'session_ended' || error.code === 'session_not_found'))) throw error;
    }
  }

  async #sent(sessionId: string, command: ImCommand, metadata: CommandMetadata): Promise<string> {
    const outcome = await this.#run(sessionId, command, metadata);
    const sent = outcome.find((e) => e.type === 'im.message_sent.v1');
    if (sent?.type !== 'im.message_sent.v1') throw new Error(`${command.type} wrote no im.message_sent.v1`);
    return sent.data.messageId;
  }

  async #run(sessionId: string, command: ImCommand, metadata: CommandMetadata) {
    const outcome = await handleCommand({
      store: this.#store,
      decider: imDecider,
      streamId: imStreamId(sessionId),
      command,
      context: { now: () => this.#now().toISOString(), newId: this.#newId },
      metadata,
      ...(this.#aggregates ? { cache: this.#aggregates } : {}),
    });
    return outcome.events;
  }
}
