import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe } from 'node:test';
import type { EventShape } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/event-store.ts';
import { InMemoryView, type InMemoryViewOptions } from '../../src/projections/framework/in-memory-view.ts';
import { ProjectionRunner } from '../../src/projections/framework/projection-runner.ts';
import type { ViewSeed } from '../../src/projections/framework/view-seed.ts';
import type { SqlProjection } from '../../src/projections/framework/sql-projection.ts';
import type { SqlClient } from '../../src/storage/sql-client.ts';
import { readModelBackends, type ReadModelBackend } from './projection-backends.ts';
import { silentLogger } from './silent-logger.ts';

/** Anything a test starts and the suite must stop after it (runners, managers, views). */
export interface Closeable {
  close(): Promise<void>;
}

export interface ReadModelSuiteOptions<E extends EventShape> {
  /**
   * Opens the event log each test appends to, after the backend's reset (the
   * reset drops the log's tables too); the suite closes it after the test.
   * Default: none — `store` then throws, and runners need an explicit `store`
   * (tests that bring their own log, e.g. an in-memory one).
   */
  readonly openStore?: (client: SqlClient) => Promise<EventStore<E>>;
}

export interface SuiteRunnerOptions<E extends EventShape> {
  /** The log to follow. Default: the suite's `store`. */
  readonly store?: EventStore<E>;
  /** Most events per transaction. Default: the runner's own (500). */
  readonly batchSize?: number;
}

/** What one backend's suite gives its tests; `client` and `store` are only valid inside a test. */
export interface ReadModelSuite<E extends EventShape> {
  readonly backend: ReadModelBackend;
  /** The backend's client, shared by the suite (PGlite takes seconds to boot); emptied before each test. */
  readonly client: SqlClient;
  /** This test's event log (see `ReadModelSuiteOptions.openStore`). */
  readonly store: EventStore<E>;
  /** A runner for `projection` into `client`, not started; closed after the test. */
  runner(projection: SqlProjection<E>, options?: SuiteRunnerOptions<E>): ProjectionRunner<E>;
  /** Closes each of `closeables` after the test, latest first, before the store. */
  closeAfterTest(...closeables: Closeable[]): void;
}

/**
 * One `describe` per read-model backend (`title (pglite)`, `title (postgres)`;
 * skipped where the backend cannot run), with the database lifecycle every
 * projection suite needs: one client per suite, a reset (and a fresh event log
 * when `openStore` is given) before each test, and everything the test
 * started closed after it, so a failing test cannot leak a runner into the next.
 */
export function forEachReadModelBackend<E extends EventShape>(
  title: string,
  options: ReadModelSuiteOptions<E>,
  body: (suite: ReadModelSuite<E>) => void,
): void {
  for (const backend of readModelBackends) {
    describe(`${title} (${backend.name})`, { skip: backend.skip ?? false }, () => {
      let client: SqlClient | undefined;
      let store: EventStore<E> | undefined;
      const closeables: Closeable[] = [];

      const suite: ReadModelSuite<E> = {
        backend,
        get client() {
          if (!client) throw new Error('the suite client exists only while the suite runs');
          return client;
        },
        get store() {
          if (!store) throw new Error(options.openStore ? 'the store exists only inside a test' : 'this suite opens no store (no openStore option)');
          return store;
        },
        runner(projection, runnerOptions = {}) {
          const runner = new ProjectionRunner<E>({
            store: runnerOptions.store ?? suite.store,
            client: suite.client,
            projection,
            ...(runnerOptions.batchSize === undefined ? {} : { batchSize: runnerOptions.batchSize }),
            logger: silentLogger,
          });
          closeables.push(runner);
          return runner;
        },
        closeAfterTest(...more) {
          closeables.push(...more);
        },
      };

      before(async () => {
        client = await backend.open();
      });
      after(async () => {
        await client?.close();
        client = undefined;
      });
      beforeEach(async () => {
        await backend.reset(suite.client);
        if (options.openStore) store = await options.openStore(suite.client);
      });
      afterEach(async () => {
        for (const c of closeables.splice(0).reverse()) await c.close();
        await store?.close();
        store = undefined;
      });

      body(suite);
    });
  }
}

/**
 * The seeded = replayed check every hot-path view's suite makes: a view seeded
 * from its SQL tables and one replayed from position 0 over the suite's log,
 * both at `checkpoint` (where the projection stands), must hold the same state. Both are closed after the test; the seeded one is returned for
 * further reads.
 */
export async function assertSeededEqualsReplayed<E extends EventShape, S, K>(
  suite: ReadModelSuite<E>,
  definition: InMemoryViewOptions<E, S, K>['definition'],
  seed: ViewSeed<S>,
  checkpoint: bigint,
  waitMs: number,
): Promise<{ seeded: InMemoryView<E, S, K>; replayed: InMemoryView<E, S, K> }> {
  const store = suite.store;
  const seeded = new InMemoryView<E, S, K>({ store, definition, seed, logger: silentLogger });
  const replayed = new InMemoryView<E, S, K>({ store, definition, logger: silentLogger });
  suite.closeAfterTest(seeded, replayed);
  await seeded.start();
  await replayed.start();
  // The seed is taken at the checkpoint row, which may sit behind the runner after batches the
  // projection ignores (idle checkpoints are written lazily); the seeded view reads those on start.
  await Promise.all([seeded.waitForPosition(checkpoint, waitMs), replayed.waitForPosition(checkpoint, waitMs)]);
  assert.equal(seeded.position, checkpoint);
  assert.deepStrictEqual(seeded.state, replayed.state, 'the seed is exactly what apply builds');
  return { seeded, replayed };
}
