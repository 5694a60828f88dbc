import { z } from 'zod';
import type { EventCatalogue } from '../../catalogue.ts';
import type { EventShape, NewEvent, RecordedEvent } from '../../envelope.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllFilter,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionHandler,
} from '../../event-store.ts';
import type { FaultHooks } from '../../fault-hooks.ts';
import { assertValidStreamName } from '../../stream-name.ts';
import type { SqlClient, SqlTransaction } from '../../../storage/sql-client.ts';
import { CatchUpSubscription } from '../subscription/catch-up-subscription.ts';
import type { SubscriptionSource } from '../subscription/catch-up-subscription.ts';
import { CommitSignal } from '../subscription/commit-signal.ts';
import { SharedReads } from '../subscription/shared-reads.ts';
import { BatchOutcomeSchema, settleAppend } from './append-outcome.ts';
import type { AppendOutcome } from './append-outcome.ts';
import { EventStoreClosedError } from './event-store-closed-error.ts';
import { decodeEventRow } from './event-row.ts';
import { GroupCommitter } from './group-committer.ts';
import type { GroupCommitterOptions } from './group-committer.ts';
import { prepareAppend } from './prepared-append.ts';
import type { PreparedAppend } from './prepared-append.ts';
import {
  categoryList,
  parseReadAllOptions,
  parseReadStreamOptions,
  parseSubscribeOptions,
  typePrefixPatterns,
} from './read-options.ts';
import { APPEND_BATCH, HEAD_POSITION, READ_ALL, READ_STREAM_BACKWARD, READ_STREAM_FORWARD } from './read-statements.ts';

/** Options shared by the PGlite and PostgreSQL adapters. */
export interface SqlEventStoreOptions<E extends EventShape> {
  readonly client: SqlClient;
  readonly catalogue: EventCatalogue<E>;
  readonly faultHooks?: FaultHooks;
  /** Close `client` when the store closes. Default false: whoever opened the client closes it. */
  readonly ownsClient?: boolean;
  /** How often an idle subscription re-reads in case a wake-up was lost. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Group-commit bounds. Default 500 appends or 4 MiB of JSON per transaction. */
  readonly groupCommit?: Partial<GroupCommitterOptions>;
}

/** What differs between the adapters; everything else is this class. */
export interface SqlDialectTraits {
  readonly kind: 'pglite' | 'postgres';
  /** Whether the append function should NOTIFY (only useful when other processes can listen). */
  readonly notifyOnAppend: boolean;
}

const DEFAULT_POLL_INTERVAL_MS = 250;
const DEFAULT_GROUP_COMMIT: GroupCommitterOptions = { maxItems: 500, maxBytes: 4 * 1024 * 1024 };

const OutcomesRow = z.object({ outcomes: BatchOutcomeSchema });
const HeadRow = z.object({ head: z.string().regex(/^[0-9]+$/) });

/**
 * The event log over SQL, shared by PGlite and PostgreSQL: same schema, same
 * append function, same reads. See docs/event-log.md for the ordering proof,
 * group commit and the idempotency rules.
 */
export class SqlEventStore<E extends EventShape> implements EventStore<E>, SubscriptionSource<E> {
  readonly kind: 'pglite' | 'postgres';
  readonly commits = new CommitSignal();
  readonly pollIntervalMs: number;
  readonly #client: SqlClient;
  readonly #catalogue: EventCatalogue<E>;
  readonly #beforeCommit: FaultHooks['beforeCommit'];
  readonly #ownsClient: boolean;
  readonly #notifyOnAppend: boolean;
  readonly #committer: GroupCommitter<PreparedAppend, AppendOutcome>;
  readonly #subscriptions = new Set<CatchUpSubscription<E>>();
  readonly #sharedReads = new SharedReads<RecordedEvent<E>>();
  #closing: Promise<void> | null = null;

  protected constructor(traits: SqlDialectTraits, options: SqlEventStoreOptions<E>) {
    this.kind = traits.kind;
    this.#notifyOnAppend = traits.notifyOnAppend;
    this.#client = options.client;
    this.#catalogue = options.catalogue;
    this.#beforeCommit = options.faultHooks?.beforeCommit;
    this.#ownsClient = options.ownsClient ?? false;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#committer = new GroupCommitter(
      (appends) => this.#commitBatch(appends),
      (append) => append.json.length,
      { ...DEFAULT_GROUP_COMMIT, ...options.groupCommit },
    );
  }

  async append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult> {
    this.#assertOpen();
    // Validation throws before anything is queued: bad input never reaches SQL.
    const prepared = prepareAppend(this.#catalogue, streamId, events, options?.expectedVersion);
    const outcome = await this.#committer.submit(prepared);
    return settleAppend(prepared, outcome);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    this.#assertOpen();
    assertValidStreamName(streamId);
    const { direction, fromVersion, limit } = parseReadStreamOptions(options);
    const { rows } =
      direction === 'forward'
        ? await this.#client.query(READ_STREAM_FORWARD, [streamId, String(fromVersion ?? 0), limit])
        : await this.#client.query(READ_STREAM_BACKWARD, [
            streamId,
            fromVersion === undefined ? '9223372036854775807' : String(fromVersion),
            limit,
          ]);
    return rows.map((row) => decodeEventRow(this.#catalogue, row));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent<E>[]> {
    this.#assertOpen();
    const { after, limit, filter } = parseReadAllOptions(options);
    return this.readAfter(after, limit, filter);
  }

  /**
   * readAll without option parsing, for subscriptions (their options were parsed once).
   * Unfiltered reads asked again while in flight, at the same commit generation, share one query.
   */
  readAfter(after: bigint, limit: number, filter: ReadAllFilter | undefined): Promise<RecordedEvent<E>[]> {
    if (filter !== undefined) return this.#readAfter(after, limit, filter);
    return this.#sharedReads.run(`${this.commits.generation}:${after}:${limit}`, () => this.#readAfter(after, limit, undefined));
  }

  async #readAfter(after: bigint, limit: number, filter: ReadAllFilter | undefined): Promise<RecordedEvent<E>[]> {
    const { rows } = await this.#client.query(READ_ALL, [
      after.toString(),
      typePrefixPatterns(filter),
      categoryList(filter),
      limit,
    ]);
    return rows.map((row) => decodeEventRow(this.#catalogue, row));
  }

  async headPosition(): Promise<bigint> {
    this.#assertOpen();
    const { rows } = await this.#client.query(HEAD_POSITION);
    return BigInt(HeadRow.parse(rows[0]).head);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler<E>): EventSubscription {
    this.#assertOpen();
    const parsed = parseSubscribeOptions(options);
    const subscription = new CatchUpSubscription<E>(this, parsed, handler, (s) => this.#subscriptions.delete(s));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Stops subscriptions, lets queued appends commit, then releases connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /** Adapter resources to release after appends drained and before the client closes (e.g. LISTEN). */
  protected async releaseResources(): Promise<void> {}

  /** Called after each committed batch that wrote events; `head` is the highest position written. */
  protected afterCommit(_eventsWritten: number, _head: bigint): void {}

  /** The connection, for adapter-specific maintenance. */
  protected get client(): SqlClient {
    return this.#client;
  }

  protected get closed(): boolean {
    return this.#closing !== null;
  }

  async #shutDown(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#committer.close();
    await this.releaseResources();
    if (this.#ownsClient) await this.#client.close();
  }

  #assertOpen(): void {
    if (this.#closing !== null) throw new EventStoreClosedError(this.kind);
  }

  /** ONE transaction for the whole batch; without a hook it is one autocommit statement: one round trip. */
  async #commitBatch(appends: readonly PreparedAppend[]): Promise<AppendOutcome[]> {
    const payload = `[${appends.map((a) => a.json).join(',')}]`;
    const beforeCommit = this.#beforeCommit;
    const outcomes =
      beforeCommit === undefined
        ? await this.#callAppendFunction(this.#client, payload)
        : await this.#client.transaction(async (tx) => {
            const inTx = await this.#callAppendFunction(tx, payload);
            for (const [i, append] of appends.entries())
              if (inTx[i]?.status === 'ok') await beforeCommit(append.streamId);
            return inTx;
          });
    if (outcomes.length !== appends.length)
      throw new Error(`chorus_append_batch returned ${outcomes.length} outcomes for ${appends.length} appends`);
    let written = 0;
    let head = 0n;
    for (const o of outcomes)
      if (o.status === 'ok') {
        written += o.positions.length;
        const last = BigInt(o.positions[o.positions.length - 1]!);
        if (last > head) head = last;
      }
    if (written > 0) {
      this.commits.notify();
      this.afterCommit(written, head);
    }
    return outcomes;
  }

  async #callAppendFunction(sql: SqlTransaction, payload: string): Promise<AppendOutcome[]> {
    const { rows } = await sql.query(APPEND_BATCH, [payload, this.#notifyOnAppend]);
    return OutcomesRow.parse(rows[0]).outcomes;
  }
}
