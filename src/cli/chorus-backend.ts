import type { AddUserRequest, UserCreated } from '../api/contract/users-contract.ts';
import type { ReplayQuery, ReplayResult } from '../api/contract/replay-contract.ts';
import type {
  ProjectionName,
  ProjectionRebuildAccepted,
  ProjectionsStatus,
} from '../api/contract/projections-contract.ts';
import type { RebuildProgress } from '../projections/framework/rebuild-progress.ts';

/**
 * What the CLI commands need from a Chorus pool. ChorusApiClient provides it
 * over HTTP; an offline backend reading the event log directly provides the
 * log-only part (OfflineBackend) when no server runs.
 */
export interface ChorusBackend {
  addUser(request: AddUserRequest): Promise<UserCreated>;
  replay(query: ReplayQuery): Promise<ReplayResult>;
  projectionsStatus(): Promise<ProjectionsStatus>;
  /** Starts a rebuild; a server answers at once (202) and rebuilds in the background. */
  rebuildProjection(name: ProjectionName): Promise<ProjectionRebuildAccepted>;
}

/** Where an offline rebuild finished. */
export interface OfflineRebuildResult {
  readonly name: string;
  /** Checkpoint the rebuilt tables reflect (the head of the log when it finished). */
  readonly position: bigint;
}

/** The commands that can run against the log itself when no server answers. */
export interface OfflineBackend {
  replay(query: ReplayQuery): Promise<ReplayResult>;
  projectionsStatus(): Promise<ProjectionsStatus>;
  /** Rebuilds in this process and resolves when the projection reached the head (unlike a server's 202). */
  rebuildProjection(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<OfflineRebuildResult>;
  /** Idempotent; releases the log. */
  close(): Promise<void>;
}

/**
 * Offline mode seam: opens the event log named by the environment (the same
 * CHORUS_STORE / CHORUS_DATA_DIR / DATABASE_URL a server would use).
 * src/cli/offline-backend-opener.ts provides the real one.
 */
export type OfflineBackendOpener = (env: NodeJS.ProcessEnv) => Promise<OfflineBackend>;
