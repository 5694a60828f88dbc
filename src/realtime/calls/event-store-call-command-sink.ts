import { v7 as uuidv7 } from 'uuid';
import { callDecider } from '../../commands/call/call-decider.ts';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import { handleCommand } from '../../commands/command-handler.ts';
import { callStreamId } from '../../commands/stream-ids.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { CallCommandRequest, CallCommandSink } from './call-command-sink.ts';

export type EventStoreCallCommandSinkOptions = {
  readonly store: EventStore<DomainEvent>;
  /** Ids for what a decision creates. Default: UUIDv7. */
  readonly newId?: () => string;
  /** The node's aggregate cache, shared with its other command paths. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
};

/** Runs call commands through `handleCommand` with the call decider, on `call-<Call-ID>`. */
export class EventStoreCallCommandSink implements CallCommandSink {
  readonly #store: EventStore<DomainEvent>;
  readonly #newId: () => string;
  readonly #aggregates: AggregateCache | undefined;

  constructor(options: EventStoreCallCommandSinkOptions) {
    this.#store = options.store;
    this.#newId = options.newId ?? uuidv7;
    this.#aggregates = options.aggregates;
  }

  async execute(request: CallCommandRequest): Promise<void> {
    const at = request.at.toISOString();
    await handleCommand({
      store: this.#store,
      decider: callDecider,
      streamId: callStreamId(request.sipCallId),
      command: request.command,
      context: { now: () => at, newId: this.#newId },
      metadata: request.metadata,
      ...(this.#aggregates ? { cache: this.#aggregates } : {}),
    });
  }
}
