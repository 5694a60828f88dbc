/**
 * - `stopped`: not started yet, or closed.
 * - `catching_up`: applying history towards the head.
 * - `live`: at the head, applying events as they are committed.
 * - `rebuilding`: tables were reset (version change or `rebuild()`) and are catching up from 0.
 * - `failed`: stopped on an error; the checkpoint is where the last good batch left it.
 */
export type ProjectionState = 'stopped' | 'catching_up' | 'live' | 'rebuilding' | 'failed';

export interface ProjectionStatus {
  readonly name: string;
  /** A SQL projection (ProjectionRunner) or an in-memory view. */
  readonly kind: 'sql' | 'memory';
  /** The SQL projection's definition version; null for views, which are always rebuilt in memory. */
  readonly version: number | null;
  /** Global position the read model reflects. */
  readonly position: bigint;
  /** Head of the log when the status was taken. */
  readonly head: bigint;
  /** `head - position`, never negative. */
  readonly lag: bigint;
  readonly state: ProjectionState;
  /** Present when `state` is `failed`. */
  readonly error?: string;
}
