import { v7 as uuidv7 } from 'uuid';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import { handleCommand, type CommandMetadata } from '../../commands/command-handler.ts';
import { liveEndpoints } from '../../commands/user/expiry-rules.ts';
import { RegisterEndpointSchema, UnregisterEndpointSchema } from '../../commands/user/user-commands.ts';
import { userDecider } from '../../commands/user/user-decider.ts';
import type { UserEvent, UserState } from '../../commands/user/user-state.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { userStreamId } from '../../commands/stream-ids.ts';
import type { BindingCommand, BindingLedger, CurrentBinding, LedgerOutcome } from './binding-ledger.ts';
import { registrationBatchDecider } from './registration-batch-decider.ts';

export type EventStoreBindingLedgerOptions = {
  /** The domain event log. */
  readonly store: EventStore<DomainEvent>;
  /** The decision clock. Default: the system clock. */
  readonly now?: () => Date;
  /** Endpoint ids. Default UUIDv7. */
  readonly newId?: () => string;
  /** The node's aggregate cache, shared with its other command paths. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
};

/** The ledger on the event log: `handleCommand` with the user decider on `user-<aor>`. */
export class EventStoreBindingLedger implements BindingLedger {
  readonly #store: EventStore<DomainEvent>;
  readonly #now: () => Date;
  readonly #newId: () => string;
  readonly #aggregates: AggregateCache | undefined;

  constructor(options: EventStoreBindingLedgerOptions) {
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? uuidv7;
    this.#aggregates = options.aggregates;
  }

  async apply(aor: string, commands: readonly BindingCommand[], metadata: CommandMetadata): Promise<LedgerOutcome> {
    // zod at the boundary: what the SIP layer built must be a valid command before it reaches the decider.
    const checked = commands.map((c) => (c.type === 'RegisterEndpoint' ? RegisterEndpointSchema.parse(c) : UnregisterEndpointSchema.parse(c)));
    const outcome = await handleCommand({
      store: this.#store,
      decider: registrationBatchDecider,
      streamId: userStreamId(aor),
      command: { type: 'RegistrationBatch', data: checked },
      context: this.#context(),
      metadata,
      ...this.#cache(),
    });
    const at = this.#now().toISOString();
    return { events: outcome.events, bindings: bindingsOf(outcome.state, at), at };
  }

  async sweep(aor: string, metadata: CommandMetadata): Promise<readonly UserEvent[]> {
    const outcome = await handleCommand({
      store: this.#store,
      decider: userDecider,
      streamId: userStreamId(aor),
      command: { type: 'SweepExpired', data: {} },
      context: this.#context(),
      metadata,
      ...this.#cache(),
    });
    return outcome.events;
  }

  #cache(): { cache?: AggregateCache } {
    return this.#aggregates ? { cache: this.#aggregates } : {};
  }

  #context() {
    return { now: () => this.#now().toISOString(), newId: this.#newId };
  }
}

function bindingsOf(state: UserState, at: string): CurrentBinding[] {
  if (state.status !== 'active') return [];
  return liveEndpoints(state, at).map((e) => ({
    endpointId: e.endpointId,
    contact: e.contact,
    instanceId: e.instanceId,
    transport: e.transport,
    sourceAddress: e.sourceAddress,
    expiresAt: e.expiresAt,
  }));
}
