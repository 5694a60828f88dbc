import { v7 as uuidv7 } from 'uuid';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import { handleCommand, type CommandMetadata } from '../../commands/command-handler.ts';
import { userStreamId } from '../../commands/stream-ids.ts';
import { userDecider } from '../../commands/user/user-decider.ts';
import type { UserEvent } from '../../commands/user/user-state.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { KeyedSerialQueue } from '../../util/keyed-serial-queue.ts';
import type { PresenceCommand, PresenceCommandSink } from './presence-ports.ts';

export type EventStorePresenceCommandsOptions = {
  readonly store: EventStore<DomainEvent>;
  /** The decision instant, ISO-8601 UTC. Default: the machine clock. */
  readonly now?: () => string;
  /** Ids the decider mints (entity tags). Default: UUIDv7, unique across nodes. */
  readonly newId?: () => string;
  /** The node's aggregate cache, shared with its other command paths. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
};

/** The presence server's commands run on the user's stream through the user decider. */
export class EventStorePresenceCommands implements PresenceCommandSink {
  readonly #store: EventStore<DomainEvent>;
  readonly #now: () => string;
  readonly #newId: () => string;
  readonly #aggregates: AggregateCache | undefined;
  // SUBSCRIBEs from many watchers land on the presentity's one stream at once.
  readonly #perUser = new KeyedSerialQueue();

  constructor(options: EventStorePresenceCommandsOptions) {
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date().toISOString());
    this.#newId = options.newId ?? uuidv7;
    this.#aggregates = options.aggregates;
  }

  async execute(sipUri: string, command: PresenceCommand, metadata: CommandMetadata): Promise<readonly UserEvent[]> {
    const outcome = await this.#perUser.run(sipUri, () =>
      handleCommand({
        store: this.#store,
        decider: userDecider,
        streamId: userStreamId(sipUri),
        command,
        context: { now: this.#now, newId: this.#newId },
        metadata,
        ...(this.#aggregates ? { cache: this.#aggregates } : {}),
      }),
    );
    return outcome.events;
  }
}
