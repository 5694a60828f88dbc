import assert from 'node:assert/strict';
import { callDecider } from '../../../src/commands/call/call-decider.ts';
import type { CallCommand } from '../../../src/commands/call/call-commands.ts';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import { conferenceDecider } from '../../../src/commands/conference/conference-decider.ts';
import type { ConferenceCommand } from '../../../src/commands/conference/conference-commands.ts';
import type { CommandShape, Decider } from '../../../src/commands/decider.ts';
import { imDecider } from '../../../src/commands/im/im-decider.ts';
import type { ImCommand } from '../../../src/commands/im/im-commands.ts';
import { callStreamId, conferenceStreamId, imStreamId, userStreamId } from '../../../src/commands/stream-ids.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { dumpTables, type ProjectionRunner, type SqlProjection } from '../../../src/projections/framework/index.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { InMemoryEventStore } from '../../support/in-memory-event-store.ts';
import type { ReadModelSuite } from '../../support/read-model-suite.ts';

/**
 * Realistic event histories for the domain read models' tests: commands go
 * through the real deciders and `handleCommand` into an in-memory log that
 * validates every event against `domainCatalogue`, at instants the test sets
 * (never the wall clock), with sequential ids (`id-1`, …) for message ids.
 */
export class DomainScenario {
  readonly store = new InMemoryEventStore<DomainEvent>(domainCatalogue, { clock: () => new Date(Date.UTC(2024, 4, 1)) });
  #now = '2024-05-01T09:00:00.000Z';
  #ids = 0;

  /** Sets the instant of the following commands. */
  at(instant: string): this {
    this.#now = new Date(instant).toISOString();
    return this;
  }

  /** Moves the instant on by `seconds`. */
  later(seconds: number): this {
    this.#now = new Date(Date.parse(this.#now) + seconds * 1000).toISOString();
    return this;
  }

  get now(): string {
    return this.#now;
  }

  user(sipUri: string, command: UserCommand) {
    return this.#run(userDecider, userStreamId(sipUri), command);
  }

  call(sipCallId: string, command: CallCommand) {
    return this.#run(callDecider, callStreamId(sipCallId), command);
  }

  conference(conferenceId: string, command: ConferenceCommand) {
    return this.#run(conferenceDecider, conferenceStreamId(conferenceId), command);
  }

  im(sessionId: string, command: ImCommand) {
    return this.#run(imDecider, imStreamId(sessionId), command);
  }

  /** Global position of the last event in the log. */
  head(): Promise<bigint> {
    return this.store.headPosition();
  }

  async #run<C extends CommandShape, E extends DomainEvent, S>(decider: Decider<C, E, S>, streamId: string, command: C): Promise<readonly E[]> {
    const now = this.#now;
    const outcome = await handleCommand({
      store: this.store,
      decider,
      streamId,
      command,
      context: { now: () => now, newId: () => `id-${++this.#ids}` },
      metadata: { correlationId: 'read-model-test', causationId: null, actor: 'test', node: 'test' },
    });
    return outcome.events;
  }
}

export const WAIT_MS = 10_000;

/** A runner for `projection` over the scenario's log, started; the suite closes it after the test. */
export async function startRunner(
  suite: ReadModelSuite<DomainEvent>,
  scenario: DomainScenario,
  projection: SqlProjection<DomainEvent>,
  batchSize = 3,
): Promise<ProjectionRunner<DomainEvent>> {
  const runner = suite.runner(projection, { store: scenario.store, batchSize });
  await runner.start();
  return runner;
}

/** `startRunner`, then waits until the runner has projected the scenario's whole log. */
export async function runToHead(
  suite: ReadModelSuite<DomainEvent>,
  scenario: DomainScenario,
  projection: SqlProjection<DomainEvent>,
): Promise<ProjectionRunner<DomainEvent>> {
  const runner = await startRunner(suite, scenario, projection);
  await runner.waitForPosition(await scenario.head(), WAIT_MS);
  return runner;
}

/**
 * The tables as the live runner built them must equal two rebuilds from
 * position 0, byte for byte (`dumpTables`): the projection is deterministic.
 */
export async function assertRebuildsAreByteEqual(
  runner: ProjectionRunner<DomainEvent>,
  client: SqlClient,
  tables: readonly string[],
): Promise<string> {
  const live = await dumpTables(client, tables);
  await runner.rebuild();
  const first = await dumpTables(client, tables);
  await runner.rebuild();
  const second = await dumpTables(client, tables);
  assert.equal(first, live, 'a rebuild from 0 gives the tables the live batches built');
  assert.equal(second, first, 'two rebuilds give byte-equal tables');
  return live;
}
