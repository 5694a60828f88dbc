import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { VoiceFeatures } from '../../events/domain/voice-config-events.ts';
import type { EventShape } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { AggregateCache } from '../aggregate-cache.ts';
import { handleCommand } from '../command-handler.ts';
import { ConferenceCommandSchema, type ConferenceCommand } from '../conference/conference-commands.ts';
import { conferenceDecider } from '../conference/conference-decider.ts';
import type { CommandShape, Decider } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import { ImCommandSchema, type ImCommand } from '../im/im-commands.ts';
import { imDecider } from '../im/im-decider.ts';
import { conferenceStreamId, imStreamId, userStreamId, voiceConfigStreamId, type VoiceConfigKind } from '../stream-ids.ts';
import { UserCommandSchema, type UserCommand } from '../user/user-commands.ts';
import { userDecider } from '../user/user-decider.ts';
import type { UserState } from '../user/user-state.ts';
import { VoiceConfigCommandSchema, type VoiceConfigCommand } from '../voice-config/voice-config-commands.ts';
import { voiceConfigDecider } from '../voice-config/voice-config-decider.ts';
import type { VoiceConfigState } from '../voice-config/voice-config-state.ts';
import { CommandRejectedError } from './command-rejected-error.ts';
import { plannedDecider, type CommandPlan } from './planned-decider.ts';
import { readAggregate } from './read-aggregate.ts';

export interface CommandDispatcherOptions {
  readonly store: EventStore<DomainEvent>;
  /** `node` in every event's metadata (CHORUS_NODE_ID). */
  readonly node: string;
  /** The decision instant, ISO-8601 UTC. Default: the machine clock. */
  readonly clock?: () => string;
  /** Ids the deciders mint (message ids, endpoint ids, etags). Default: random UUIDs. */
  readonly newId?: () => string;
  /** Event ids; must be UUIDv7. Default: `uuid`'s v7. */
  readonly newEventId?: () => string;
  /** The node's aggregate cache, shared with the SIP plane. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
}

/** Who asked, for the events' metadata. */
export interface CommandOrigin {
  /** Default `admin` (the HTTP API has one principal: the admin token). */
  readonly actor?: string;
  /** Default: a fresh UUID, so the events of one request can be found together. */
  readonly correlationId?: string;
  readonly causationId?: string | null;
}

export interface Dispatched<E extends EventShape, S> {
  /**
   * Global position of the last event written; when the command changed
   * nothing, the head of the log at the time, which also covers the stream's
   * last event (waiting for it gives read-your-writes either way).
   */
  readonly position: bigint;
  /** False when the command was already in effect and nothing was appended. */
  readonly written: boolean;
  readonly events: readonly E[];
  readonly state: S;
}

type UserEvent = Parameters<typeof userDecider.evolve>[1];
type ImEvent = Parameters<typeof imDecider.evolve>[1];
type ImState = ReturnType<typeof imDecider.initialState>;
type ConferenceEvent = Parameters<typeof conferenceDecider.evolve>[1];
type ConferenceState = ReturnType<typeof conferenceDecider.initialState>;
type VoiceConfigEvent = Parameters<typeof voiceConfigDecider.evolve>[1];

/** One command, several decided on one read and appended together, or a choice made on the state read. */
export type CommandInput<C, S> = C | readonly C[] | CommandPlan<C, S>;

/** Voice features a policy can allow, by the user command that uses each. */
export type VoiceFeature = keyof VoiceFeatures;

const PLANNED_USER = plannedDecider(userDecider, UserCommandSchema);
const PLANNED_IM = plannedDecider(imDecider, ImCommandSchema);
const PLANNED_CONFERENCE = plannedDecider(conferenceDecider, ConferenceCommandSchema);
const PLANNED_VOICE_CONFIG = plannedDecider(voiceConfigDecider, VoiceConfigCommandSchema);

function toPlan<C, S>(input: CommandInput<C, S>): CommandPlan<C, S> {
  if (typeof input === 'function') return input as CommandPlan<C, S>;
  const commands: readonly C[] = Array.isArray(input) ? (input as readonly C[]) : [input as C];
  return () => commands;
}

/** Stream ids come from request input; one that cannot name a stream is a 400, not a crash. */
function streamIdOf(build: () => string, what: string): string {
  try {
    return build();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CommandRejectedError('invalid_command', 400, `${what}: ${message}`, { issues: [{ path: what, message }] });
  }
}

/**
 * The application service that runs commands: one typed entry point per
 * aggregate picks the decider and stream, validates every command with its zod
 * schema, injects the clock and id generators and runs `handleCommand`. A
 * domain refusal comes out as CommandRejectedError with the code's HTTP status
 * (an unknown user is `not_provisioned`, 404); a lost race that outlasts the
 * handler's retries comes out as ConcurrencyError (409).
 */
export class CommandDispatcher {
  readonly #store: EventStore<DomainEvent>;
  readonly #node: string;
  readonly #clock: () => string;
  readonly #newId: () => string;
  readonly #newEventId: () => string;
  readonly #aggregates: AggregateCache | undefined;

  constructor(options: CommandDispatcherOptions) {
    this.#store = options.store;
    this.#node = options.node;
    this.#clock = options.clock ?? (() => new Date().toISOString());
    this.#newId = options.newId ?? randomUUID;
    this.#newEventId = options.newEventId ?? uuidv7;
    this.#aggregates = options.aggregates;
  }

  /** Commands on the user `sipUri` (`user-<aor>`). */
  user(sipUri: string, input: CommandInput<UserCommand, UserState>, origin: CommandOrigin = {}): Promise<Dispatched<UserEvent, UserState>> {
    return this.#run(PLANNED_USER, streamIdOf(() => userStreamId(sipUri), 'sipUri'), toPlan(input), origin);
  }

  /**
   * A voice-feature command (forwarding, simultaneous ring, delegation, team
   * call), refused with `feature_not_allowed` (403) when the user's voice
   * policy does not allow the feature. The policy lives in another stream, so
   * the check is made on the policy as read just before the command.
   */
  async userVoiceFeature(
    sipUri: string,
    feature: VoiceFeature,
    command: UserCommand,
    origin: CommandOrigin = {},
  ): Promise<Dispatched<UserEvent, UserState>> {
    const user = await this.userState(sipUri);
    if (user.status === 'active' && user.profile.voicePolicy !== null) {
      const policyName = user.profile.voicePolicy;
      const policy = await readAggregate(this.#store, voiceConfigDecider, voiceConfigStreamId('voicepolicy', policyName), this.#aggregates);
      if (policy.status !== 'defined' || policy.kind !== 'voicepolicy')
        throw new CommandRejectedError('not_defined', 409, `${sipUri} has voice policy ${policyName}, which is not defined`);
      if (!policy.definition.features[feature])
        throw new CommandRejectedError('feature_not_allowed', 403, `voice policy ${policyName} does not allow ${feature}`, {
          feature,
          voicePolicy: policyName,
        });
    }
    return this.user(sipUri, command, origin);
  }

  /** The user's state as its stream stands; `absent` for an unknown user. */
  userState(sipUri: string): Promise<UserState> {
    return readAggregate(this.#store, userDecider, streamIdOf(() => userStreamId(sipUri), 'sipUri'), this.#aggregates);
  }

  /** Refuses with `not_provisioned` (404) unless every address is an active user. */
  async requireActiveUsers(sipUris: readonly string[], what: string): Promise<void> {
    for (const sipUri of new Set(sipUris)) {
      const state = await this.userState(sipUri);
      if (state.status !== 'active')
        throw new CommandRejectedError('not_provisioned', 404, `${what}: ${sipUri} is not a provisioned user`, { sipUri });
    }
  }

  /** Commands on one IM session (`im-<sessionId>`). */
  im(sessionId: string, input: CommandInput<ImCommand, ImState>, origin: CommandOrigin = {}): Promise<Dispatched<ImEvent, ImState>> {
    return this.#run(PLANNED_IM, streamIdOf(() => imStreamId(sessionId), 'sessionId'), toPlan(input), origin);
  }

  /** Commands on one conference (`conference-<id>`). */
  conference(
    conferenceId: string,
    input: CommandInput<ConferenceCommand, ConferenceState>,
    origin: CommandOrigin = {},
  ): Promise<Dispatched<ConferenceEvent, ConferenceState>> {
    return this.#run(PLANNED_CONFERENCE, streamIdOf(() => conferenceStreamId(conferenceId), 'conferenceId'), toPlan(input), origin);
  }

  /** Commands on one voice configuration item (`voiceconfig-<kind>-<name>`). */
  voiceConfig(
    kind: VoiceConfigKind,
    name: string,
    input: CommandInput<VoiceConfigCommand, VoiceConfigState>,
    origin: CommandOrigin = {},
  ): Promise<Dispatched<VoiceConfigEvent, VoiceConfigState>> {
    return this.#run(PLANNED_VOICE_CONFIG, streamIdOf(() => voiceConfigStreamId(kind, name), 'name'), toPlan(input), origin);
  }

  async #run<C extends CommandShape, E extends DomainEvent, S>(
    decider: Decider<{ readonly type: 'Plan'; readonly data: CommandPlan<C, S> }, E, S>,
    streamId: string,
    plan: CommandPlan<C, S>,
    origin: CommandOrigin,
  ): Promise<Dispatched<E, S>> {
    try {
      const outcome = await handleCommand({
        store: this.#store,
        decider,
        streamId,
        command: { type: 'Plan', data: plan },
        context: { now: this.#clock, newId: this.#newId },
        metadata: {
          correlationId: origin.correlationId ?? randomUUID(),
          causationId: origin.causationId ?? null,
          actor: origin.actor ?? 'admin',
          node: this.#node,
        },
        newEventId: this.#newEventId,
        ...(this.#aggregates ? { cache: this.#aggregates } : {}),
      });
      const last = outcome.appendResult?.positions.at(-1);
      return {
        position: last ?? (await this.#store.headPosition()),
        written: last !== undefined,
        events: outcome.events,
        state: outcome.state,
      };
    } catch (error) {
      if (error instanceof DomainError) throw CommandRejectedError.fromDomainError(error);
      throw error;
    }
  }
}
