/** Base class so callers can tell projection errors from everything else with one `instanceof`. */
export abstract class ProjectionError extends Error {
  abstract readonly code: string;
}

/** A projection or view definition is malformed (bad name, table, version). Nothing was started. */
export class InvalidProjectionDefinitionError extends ProjectionError {
  readonly code = 'invalid_projection_definition';
  constructor(readonly projection: string, reason: string) {
    super(`projection ${JSON.stringify(projection)}: ${reason}`);
    this.name = 'InvalidProjectionDefinitionError';
  }
}

/** `waitForPosition` gave up: the projection had not reached the position in time. */
export class ProjectionTimeoutError extends ProjectionError {
  readonly code = 'projection_timeout';
  constructor(
    readonly projection: string,
    readonly wanted: bigint,
    readonly reached: bigint,
    readonly timeoutMs: number,
  ) {
    super(`projection ${projection} did not reach position ${wanted} within ${timeoutMs} ms (at ${reached})`);
    this.name = 'ProjectionTimeoutError';
  }
}

/** The projection stopped on a handler or store error; its checkpoint is where the last good batch left it. */
export class ProjectionFailedError extends ProjectionError {
  readonly code = 'projection_failed';
  constructor(readonly projection: string, override readonly cause: unknown) {
    super(`projection ${projection} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ProjectionFailedError';
  }
}

/** The projection or view was closed (or never started) while a caller waited on it. */
export class ProjectionStoppedError extends ProjectionError {
  readonly code = 'projection_stopped';
  constructor(readonly projection: string) {
    super(`projection ${projection} is not running`);
    this.name = 'ProjectionStoppedError';
  }
}

/**
 * The checkpoint row no longer matches what this runner wrote: another process
 * rebuilt the projection, or runs another version of it. The batch was rolled back.
 */
export class ProjectionConflictError extends ProjectionError {
  readonly code = 'projection_conflict';
  constructor(readonly projection: string, detail: string) {
    super(`projection ${projection}: ${detail}`);
    this.name = 'ProjectionConflictError';
  }
}

/** `ProjectionManager` was asked for a projection it does not run. */
export class UnknownProjectionError extends ProjectionError {
  readonly code = 'unknown_projection';
  constructor(readonly projection: string) {
    super(`no projection named ${JSON.stringify(projection)}`);
    this.name = 'UnknownProjectionError';
  }
}

/** A view asked to load from a SQL projection whose tables are missing, rebuilding or failed. */
export class ProjectionNotReadyError extends ProjectionError {
  readonly code = 'projection_not_ready';
  constructor(readonly projection: string, detail: string) {
    super(`projection ${projection} cannot seed a view: ${detail}`);
    this.name = 'ProjectionNotReadyError';
  }
}
