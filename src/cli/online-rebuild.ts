import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ProjectionsStatus } from '../api/contract/projections-contract.ts';
import type { ProgressReport } from './progress.ts';

/** The server reported the rebuild failed, or stopped listing the projection. */
export class RemoteRebuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteRebuildError';
  }
}

export interface RemoteRebuildWatchOptions {
  /** GET /projections. */
  readonly status: () => Promise<ProjectionsStatus>;
  readonly name: string;
  readonly onProgress: (report: ProgressReport) => void;
  /** Between two polls. Default 500 ms. */
  readonly intervalMs?: number;
  /** Default node's timers/promises setTimeout; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * What the server's GET /projections adds under `rebuild` for the last rebuild
 * started through the API (src/api/routes/projections-routes.ts; the
 * contract's objects are loose, so it is read here with its own schema). Its
 * `state` is replaced before the 202 is sent, so every read after the 202 is
 * about this rebuild: the reliable way to know it finished.
 */
const RemoteRebuildSchema = z.object({
  state: z.enum(['running', 'done', 'failed']),
  position: z.string().regex(/^\d+$/).optional(),
  head: z.string().regex(/^\d+$/).optional(),
  eventsPerSecond: z.number().nonnegative().optional(),
  etaSeconds: z.number().nonnegative().nullable().optional(),
  error: z.string().optional(),
});
const WithRemoteRebuildSchema = z.object({ rebuild: RemoteRebuildSchema });
const WithErrorSchema = z.object({ error: z.string() });

/** Statuses of the framework's vocabulary (ProjectionState, checkpoint status) used when a server sends no `rebuild`. */
const REBUILDING = 'rebuilding';
const FAILED = 'failed';

/**
 * Follows a rebuild a server accepted (202) by polling GET /projections until
 * it finished. Uses the projection's `rebuild` record when the server sends
 * one; otherwise waits until the projection's status is no longer
 * `rebuilding`, which is exact only if the server answered 202 after the
 * reset. Resolves to the position the projection reached.
 */
export async function watchRemoteRebuild(options: RemoteRebuildWatchOptions): Promise<string> {
  const wait = options.sleep ?? ((ms: number) => sleep(ms).then(() => undefined));
  const intervalMs = options.intervalMs ?? 500;
  for (;;) {
    const status = await options.status();
    const projection = status.projections.find((p) => p.name === options.name);
    if (projection === undefined)
      throw new RemoteRebuildError(`the server no longer lists projection ${options.name}; its rebuild cannot be followed`);
    const record = WithRemoteRebuildSchema.safeParse(projection);
    const rebuild = record.success ? record.data.rebuild : null;
    options.onProgress({
      done: Number(rebuild?.position ?? projection.position),
      total: Number(rebuild?.head ?? status.headPosition),
      ...(rebuild?.eventsPerSecond === undefined ? {} : { eventsPerSecond: rebuild.eventsPerSecond }),
      ...(rebuild?.etaSeconds === undefined ? {} : { etaSeconds: rebuild.etaSeconds }),
    });
    const failed = rebuild ? rebuild.state === 'failed' : projection.status === FAILED;
    if (failed) {
      const detail = rebuild?.error ?? (WithErrorSchema.safeParse(projection).data?.error);
      throw new RemoteRebuildError(`rebuild of ${options.name} failed on the server${detail === undefined ? '' : `: ${detail}`}`);
    }
    const finished = rebuild ? rebuild.state === 'done' : projection.status !== REBUILDING;
    if (finished) return projection.position;
    await wait(intervalMs);
  }
}
