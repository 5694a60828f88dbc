import type { AddUserRequest, UserCreated } from '../api/contract/users-contract.ts';
import type { ReplayQuery, ReplayResult } from '../api/contract/replay-contract.ts';
import type {
  ProjectionName,
  ProjectionRebuildAccepted,
  ProjectionsStatus,
} from '../api/contract/projections-contract.ts';

/**
 * What the CLI commands need from a Chorus pool. ChorusApiClient provides it
 * over HTTP; an offline backend reading the event log directly will provide it
 * when no server runs.
 */
export interface ChorusBackend {
  addUser(request: AddUserRequest): Promise<UserCreated>;
  replay(query: ReplayQuery): Promise<ReplayResult>;
  projectionsStatus(): Promise<ProjectionsStatus>;
  rebuildProjection(name: ProjectionName): Promise<ProjectionRebuildAccepted>;
}

/** Operations that may run against the log itself when no server answers. */
export type OfflineOperation = 'replay' | 'projectionsStatus' | 'rebuildProjection';

export interface OfflineBackend extends Pick<ChorusBackend, OfflineOperation> {
  /** Idempotent; releases the log. */
  close(): Promise<void>;
}

/**
 * Offline mode seam: opens the event log named by the environment (the same
 * CHORUS_STORE / CHORUS_DATA_DIR / DATABASE_URL a server would use). Not
 * provided yet, so offline-capable commands report that no server answers.
 */
export type OfflineBackendOpener = (env: NodeJS.ProcessEnv) => Promise<OfflineBackend>;
