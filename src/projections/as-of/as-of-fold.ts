import { deserialize, serialize } from 'node:v8';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { streamCategory } from '../../events/stream-name.ts';
import type { InMemoryViewDefinition } from '../framework/index.ts';
import { directoryView, type DirectoryState } from '../directory/index.ts';
import { locationView, type LocationViewState } from '../location/index.ts';
import { presenceView, type PresenceViewState } from '../presence/index.ts';
import { routingView, type RoutingState } from '../routing/index.ts';

/**
 * Stream categories an as-of fold reads: the user's own stream (directory,
 * endpoints, presence, voice features), the calls (presence), and the voice
 * configuration items (routing at an instant, what-if).
 */
export const AS_OF_CATEGORIES = ['user', 'call', 'voiceconfig'] as const;

/**
 * Bumped whenever a view's state shape or reducer changes: a snapshot of
 * another format is ignored (and rebuilt), never deserialized into the new shape.
 */
export const AS_OF_FOLD_FORMAT = 1;

type AnyView = InMemoryViewDefinition<DomainEvent, unknown, unknown, DomainEvent>;

interface FoldStates {
  readonly directory: DirectoryState;
  readonly location: LocationViewState;
  readonly presence: PresenceViewState;
  readonly routing: RoutingState;
}

interface SerializedFold extends FoldStates {
  readonly format: number;
  readonly everProvisioned: Set<string>;
  readonly position: string;
  readonly userCallPosition: string;
}

const VIEWS = [
  ['directory', directoryView],
  ['location', locationView],
  ['presence', presenceView],
  ['routing', routingView],
] as const;

const HANDLES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  VIEWS.map(([key, view]) => [key, new Set<string>(view.canHandle ?? [])]),
);

/**
 * The hot-path views' states folded over a prefix of the log: the views' own
 * `apply`, so the fold at the log's head is what the live views hold. A fold
 * can be serialized (node:v8, the structured-clone format: Maps, Sets and
 * compiled RegExps survive) to be stored as a snapshot and resumed later.
 */
export class AsOfFold {
  readonly #states: FoldStates;
  readonly #everProvisioned: Set<string>;
  #position: bigint;
  #userCallPosition: bigint;

  private constructor(states: FoldStates, everProvisioned: Set<string>, position: bigint, userCallPosition: bigint) {
    this.#states = states;
    this.#everProvisioned = everProvisioned;
    this.#position = position;
    this.#userCallPosition = userCallPosition;
  }

  static empty(): AsOfFold {
    return new AsOfFold(
      {
        directory: directoryView.initialState(),
        location: locationView.initialState(),
        presence: presenceView.initialState(),
        routing: routingView.initialState(),
      },
      new Set(),
      0n,
      0n,
    );
  }

  /** Null when the bytes are of another format (a snapshot written by another version). */
  static restore(bytes: Uint8Array): AsOfFold | null {
    const raw = deserialize(bytes) as Partial<SerializedFold> | null;
    if (raw === null || typeof raw !== 'object' || raw.format !== AS_OF_FOLD_FORMAT) return null;
    const s = raw as SerializedFold;
    return new AsOfFold(
      { directory: s.directory, location: s.location, presence: s.presence, routing: s.routing },
      s.everProvisioned,
      BigInt(s.position),
      BigInt(s.userCallPosition),
    );
  }

  serialize(): Buffer {
    const value: SerializedFold = {
      format: AS_OF_FOLD_FORMAT,
      ...this.#states,
      everProvisioned: this.#everProvisioned,
      position: String(this.#position),
      userCallPosition: String(this.#userCallPosition),
    };
    return serialize(value);
  }

  /** Global position of the last event folded in (0 when none). */
  get position(): bigint {
    return this.#position;
  }

  /** Global position of the last user or call event folded in: what a user's replay reports. */
  get userCallPosition(): bigint {
    return this.#userCallPosition;
  }

  get directory(): { readonly state: DirectoryState } {
    return { state: this.#states.directory };
  }

  get location(): { readonly state: LocationViewState } {
    return { state: this.#states.location };
  }

  get presence(): { readonly state: PresenceViewState } {
    return { state: this.#states.presence };
  }

  get routing(): { readonly state: RoutingState } {
    return { state: this.#states.routing };
  }

  /** Whether the user was provisioned at some point of the folded prefix (deprovisioned users included). */
  everProvisioned(sipUri: string): boolean {
    return this.#everProvisioned.has(sipUri);
  }

  apply(event: RecordedEvent<DomainEvent>): void {
    if (event.type === 'directory.user_provisioned.v1') this.#everProvisioned.add(event.data.sipUri);
    for (const [key, view] of VIEWS) {
      if (!HANDLES.get(key)!.has(event.type)) continue;
      (view as unknown as AnyView).apply(this.#states[key], event);
    }
    this.#position = event.globalPosition;
    const category = streamCategory(event.streamId);
    if (category === 'user' || category === 'call') this.#userCallPosition = event.globalPosition;
  }
}
