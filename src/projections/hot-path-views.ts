import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import type { Logger } from '../logging/logger.ts';
import type { SqlClient, SqlTransaction } from '../storage/sql-client.ts';
import { directoryReader, directoryView, loadDirectoryState, DIRECTORY_PROJECTION, type DirectoryReader, type DirectoryState } from './directory/index.ts';
import {
  InMemoryView,
  ProjectionNotReadyError,
  seedFromSqlProjection,
  type InMemoryViewDefinition,
  type ViewSeed,
} from './framework/index.ts';
import {
  createLocationReader,
  loadLocationViewState,
  locationView,
  LOCATION_PROJECTION_NAME,
  type LocationReader,
  type LocationViewState,
} from './location/index.ts';
import {
  createPresenceReader,
  loadPresenceViewState,
  presenceView,
  PRESENCE_PROJECTION_NAME,
  type PresenceReader,
  type PresenceViewState,
} from './presence/index.ts';
import { loadRoutingState, routingReader, routingView, ROUTING_PROJECTION, type RoutingChangeKey, type RoutingReader, type RoutingState } from './routing/index.ts';

/**
 * The four in-memory views the SIP plane reads on its hot path, with their
 * readers. Each starts from its SQL projection's tables when those are active
 * (no replay of the whole log on a restart), else replays from position 0.
 */
export interface HotPathViews {
  readonly presence: InMemoryView<DomainEvent, PresenceViewState, string>;
  readonly location: InMemoryView<DomainEvent, LocationViewState, string>;
  readonly directory: InMemoryView<DomainEvent, DirectoryState, string>;
  readonly routing: InMemoryView<DomainEvent, RoutingState, RoutingChangeKey>;
  readonly readers: {
    readonly presence: PresenceReader;
    readonly location: LocationReader;
    readonly directory: DirectoryReader;
    readonly routing: RoutingReader;
  };
  /** All four, for ProjectionManager's `views` (started, reported and closed with the projections). */
  readonly all: readonly [
    InMemoryView<DomainEvent, PresenceViewState, string>,
    InMemoryView<DomainEvent, LocationViewState, string>,
    InMemoryView<DomainEvent, DirectoryState, string>,
    InMemoryView<DomainEvent, RoutingState, RoutingChangeKey>,
  ];
}

export interface HotPathViewsOptions {
  readonly store: EventStore<DomainEvent>;
  /** Where the SQL projections live; omit to always replay from 0 (tests, EventStoreDB without read models). */
  readonly client?: SqlClient;
  readonly logger?: Logger;
}

/**
 * Seed from the projection when it is active; a projection being rebuilt (or
 * never started) is not the log's effect, so replay from 0 instead of failing.
 */
function seedOrReplay<S>(client: SqlClient | undefined, projection: string, load: (tx: SqlTransaction) => Promise<S>, initial: () => S): ViewSeed<S> {
  if (!client) return async () => ({ state: initial(), position: 0n });
  const fromSql = seedFromSqlProjection(client, projection, load);
  return async () => {
    try {
      return await fromSql();
    } catch (error) {
      if (error instanceof ProjectionNotReadyError) return { state: initial(), position: 0n };
      throw error;
    }
  };
}

function view<S, K, H extends DomainEvent>(
  options: HotPathViewsOptions,
  definition: InMemoryViewDefinition<DomainEvent, S, K, H>,
  seed: ViewSeed<S>,
): InMemoryView<DomainEvent, S, K> {
  return new InMemoryView<DomainEvent, S, K>({
    store: options.store,
    definition,
    seed,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

export function createHotPathViews(options: HotPathViewsOptions): HotPathViews {
  const { client } = options;
  const presence = view(options, presenceView, seedOrReplay(client, PRESENCE_PROJECTION_NAME, loadPresenceViewState, presenceView.initialState));
  const location = view(options, locationView, seedOrReplay(client, LOCATION_PROJECTION_NAME, loadLocationViewState, locationView.initialState));
  const directory = view(options, directoryView, seedOrReplay(client, DIRECTORY_PROJECTION, loadDirectoryState, directoryView.initialState));
  const routing = view(options, routingView, seedOrReplay(client, ROUTING_PROJECTION, loadRoutingState, routingView.initialState));
  return {
    presence,
    location,
    directory,
    routing,
    readers: {
      presence: createPresenceReader(presence),
      location: createLocationReader(location),
      directory: directoryReader(directory),
      routing: routingReader(routing),
    },
    all: [presence, location, directory, routing],
  };
}
