/** The projection framework, generic over the event union. See docs/projections.md. */
export { dumpTables } from './dump-tables.ts';
export {
  InvalidProjectionDefinitionError,
  ProjectionConflictError,
  ProjectionError,
  ProjectionFailedError,
  ProjectionNotReadyError,
  ProjectionStoppedError,
  ProjectionTimeoutError,
  UnknownProjectionError,
} from './errors.ts';
export { defineInMemoryView, type InMemoryViewDefinition } from './in-memory-view-definition.ts';
export { InMemoryView, type InMemoryViewEvents, type InMemoryViewOptions, type ViewChange } from './in-memory-view.ts';
export { readCheckpoint, type Checkpoint, type CheckpointStatus } from './projection-checkpoints.ts';
export { ProjectionManager, type ManagedView, type ProjectionManagerOptions } from './projection-manager.ts';
export { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner.ts';
export type { ProjectionState, ProjectionStatus } from './projection-status.ts';
export type { RebuildProgress, RebuildProgressListener } from './rebuild-progress.ts';
export { defineSqlProjection, type HandledEvent, type SqlProjection } from './sql-projection.ts';
export { replayFromStart, seedFromSqlProjection, type ViewSeed, type ViewSnapshot } from './view-seed.ts';
export { bulkDeleteSql, bulkInsertSql, bulkUpsertSql, writeBulk, type BulkRow, type BulkTable } from './bulk-rows.ts';
export { BatchRows } from './batch-rows.ts';
