import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
} from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendResult as EsdbAppendResult,
  EventData,
  JSONType,
  ReadPosition,
  ReadRevision,
} from '@eventstore/db-client';
import type { EventCatalogue } from '../../catalogue.ts';
import type { EventShape, NewEvent, RecordedEvent } from '../../envelope.ts';
import { DuplicateEventIdError, InvalidArgumentError } from '../../errors.ts';
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
import { prepareAppend } from './append-batch.ts';
import type { AppendBatch, PreparedEvent } from './append-batch.ts';
import { toClientConnectionString } from './connection-string.ts';
import { decodeRecord, sameContent, toEsdbMetadata } from './decode-record.ts';
import { EventStoreDbSubscription } from './eventstoredb-subscription.ts';
import type { ScanPage, SubscriptionSource } from './eventstoredb-subscription.ts';
import { toConcurrencyError, toExpectedRevision, toVersion } from './expected-revision.ts';
import { isAfter, readFromAfter, toEsdbPosition, toGlobalPosition } from './positions.ts';
import { parseReadAllOptions, parseReadStreamOptions, parseSubscribeOptions } from './read-options.ts';
import { StreamScope } from './stream-scope.ts';
import { requirePosition, toStoredRecord } from './stored-record.ts';
import type { StoredRecord } from './stored-record.ts';

export interface EventStoreDbConnectOptions<E extends EventShape> {
  /** `esdb://host:2113?tls=false` (also `kurrentdb://`, `kdb://`, `+discover`). */
  readonly connectionString: string;
  readonly catalogue: EventCatalogue<E>;
  readonly faultHooks?: FaultHooks;
  /**
   * Keeps this store to the ESDB streams `<namespace>:<streamId>`; reads and
   * subscriptions see nothing else. Unset: the whole server is this store's log.
   */
  readonly namespace?: string;
}

/** Records per `readAll` request when scanning $all; filtering happens client-side (see `#scan`). */
const SCAN_PAGE = 1_000;
/** How far back from the end of a stream an `any`/`exists` append looks for an earlier copy of itself. */
const RETRY_WINDOW = 32;

type Probe =
  | { readonly kind: 'new'; readonly headRevision: bigint | null }
  | { readonly kind: 'already_appended'; readonly result: AppendResult };

/**
 * The event log on EventStoreDB / KurrentDB over gRPC.
 *
 * Mapping: our stream = an ESDB stream (optionally under a namespace), our
 * streamVersion = ESDB's 0-based revision, our globalPosition = the $all commit
 * position, our metadata = ESDB event metadata (JSON), recordedAt = ESDB's
 * `created` timestamp. See docs in the README section "EventStoreDB" for the
 * idempotency and ordering notes; the short version is in each method.
 */
export class EventStoreDbEventStore<E extends EventShape> implements EventStore<E> {
  readonly kind = 'eventstoredb' as const;
  readonly #client: EventStoreDBClient;
  readonly #catalogue: EventCatalogue<E>;
  readonly #hooks: FaultHooks;
  readonly #scope: StreamScope;
  readonly #subscriptions = new Set<EventStoreDbSubscription<E>>();
  #closing: Promise<void> | null = null;

  private constructor(client: EventStoreDBClient, catalogue: EventCatalogue<E>, hooks: FaultHooks, scope: StreamScope) {
    this.#client = client;
    this.#catalogue = catalogue;
    this.#hooks = hooks;
    this.#scope = scope;
  }

  /**
   * Parses the connection string and builds the client. The gRPC channel is
   * opened lazily by the first call, so this never blocks on the network; a
   * wrong address surfaces as the client's UnavailableError on first use.
   */
  static async connect<E extends EventShape>(options: EventStoreDbConnectOptions<E>): Promise<EventStoreDbEventStore<E>> {
    const scope = StreamScope.of(options.namespace);
    const client = EventStoreDBClient.connectionString(toClientConnectionString(options.connectionString));
    return new EventStoreDbEventStore(client, options.catalogue, options.faultHooks ?? {}, scope);
  }

  /**
   * Appends atomically (ESDB writes one append all-or-nothing).
   *
   * Idempotency. A retry must be a no-op that returns the original positions,
   * and an id reused with other content must fail. ESDB on its own deduplicates
   * by id only, compares no content, and only reliably for the events right
   * after the expected revision (with `any` it uses a best-effort cache). So
   * before writing, the store looks where an earlier copy of this append must
   * be: for version n / `no_stream`, the k revisions after n; for `any` /
   * `exists`, the last RETRY_WINDOW events of the stream. Any of our ids found
   * there is resolved against the whole earlier batch (same ids, same order,
   * same content → duplicate; else DuplicateEventIdError) without writing.
   * After a write, a multi-event batch is read back for its positions, which
   * also catches a silent server-side dedup of changed content.
   *
   * Limits (no index by event id in ESDB): an id reused in another stream, or
   * an `any`/`exists` retry of a batch older than the window, is not detected.
   */
  async append(streamId: string, events: readonly NewEvent<E>[], options: AppendOptions): Promise<AppendResult> {
    this.#assertOpen();
    const batch = prepareAppend(this.#catalogue, streamId, events, options);
    const esdbStream = this.#scope.toEsdb(batch.streamId);

    const probe = await this.#probe(esdbStream, batch);
    if (probe.kind === 'already_appended') return probe.result;

    // ESDB has no client-side transaction to hold open: the hook runs before the
    // request is sent, so it models a slow writer whose expected version goes stale.
    await this.#hooks.beforeCommit?.(batch.streamId);

    let written: EsdbAppendResult;
    try {
      written = await this.#client.appendToStream(esdbStream, batch.events.map(toEventData), {
        expectedRevision: toExpectedRevision(batch.expected),
      });
    } catch (error) {
      throw toAppendError(error, batch);
    }

    const last = written.nextExpectedRevision;
    // Revisions at or below what the probe saw existed before this call: the server deduplicated.
    const deduplicated = probe.headRevision !== null && last <= probe.headRevision;
    const single = batch.events.length === 1 ? toGlobalPosition(written.position) : null;
    if (single !== null && !deduplicated)
      return { streamId: batch.streamId, nextExpectedVersion: toVersion(last), positions: [single], duplicate: false };

    const first = last - BigInt(batch.events.length) + 1n;
    const stored = await this.#readRange(esdbStream, first, batch.events.length);
    this.#assertSameBatch(batch, stored);
    return {
      streamId: batch.streamId,
      nextExpectedVersion: toVersion(last),
      positions: stored.map((r) => requirePosition(r)),
      duplicate: deduplicated,
    };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    this.#assertOpen();
    assertValidStreamName(streamId);
    const { direction, fromVersion, limit } = parseReadStreamOptions(options);
    const fromRevision: ReadRevision =
      fromVersion !== undefined ? BigInt(fromVersion) : direction === 'forward' ? 0n : END;
    const records = await this.#readStreamRecords(this.#scope.toEsdb(streamId), {
      direction: direction === 'forward' ? FORWARDS : BACKWARDS,
      fromRevision,
      maxCount: limit,
    });
    return records.map((r) => decodeRecord(this.#catalogue, r, streamId));
  }

  /**
   * `after` becomes an inclusive ESDB start position; events at or below it are
   * dropped. The client (6.x) cannot send a server-side filter on reads, so the
   * filter and the namespace are applied here while paging through $all.
   */
  async readAll(options?: ReadAllOptions): Promise<RecordedEvent<E>[]> {
    this.#assertOpen();
    const { after, limit, filter } = parseReadAllOptions(options);
    const page = await this.#scan(after, limit, filter);
    return [...page.events];
  }

  /** The newest event of this store in $all: read backwards past system and foreign events. */
  async headPosition(): Promise<bigint> {
    this.#assertOpen();
    let from: ReadPosition = END;
    let before: bigint | null = null;
    for (;;) {
      const page = await this.#readAllPage(from, BACKWARDS, SCAN_PAGE);
      for (const record of page) {
        const position = requirePosition(record);
        if (before !== null && position >= before) continue;
        before = position;
        if (this.#scope.admit(record, undefined) !== null) return position;
      }
      if (page.length < SCAN_PAGE || before === null) return 0n;
      from = toEsdbPosition(before);
    }
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler<E>): EventSubscription {
    this.#assertOpen();
    const settings = parseSubscribeOptions(options);
    if (typeof handler !== 'function') throw new InvalidArgumentError('subscribe needs a handler function');
    const source: SubscriptionSource<E> = {
      scan: (after, limit, filter) => this.#scan(after, limit, filter),
      follow: (after, filter) => this.#follow(after, filter),
      admit: (resolved, after, filter) => this.#admit(resolved, after, filter),
    };
    const subscription = new EventStoreDbSubscription(source, settings, handler, (s) => this.#subscriptions.delete(s));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#subscriptions].map((s) => s.close()));
      await this.#client.dispose();
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('the eventstoredb event store is closed');
  }

  /** Looks for an earlier copy of this append where ESDB would have put it (see `append`). */
  async #probe(esdbStream: string, batch: AppendBatch): Promise<Probe> {
    const k = batch.events.length;
    const expected = batch.expected;
    let window: StoredRecord[];
    let headRevision: bigint | null;
    if (typeof expected === 'number' || expected === 'no_stream') {
      const after = typeof expected === 'number' ? BigInt(expected) : -1n;
      window = await this.#readRange(esdbStream, after + 1n, k);
      headRevision = window.at(-1)?.revision ?? (after >= 0n ? after : null);
    } else {
      window = await this.#readStreamRecords(esdbStream, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: Math.max(k, RETRY_WINDOW),
      });
      headRevision = window[0]?.revision ?? null;
    }
    const ids = batch.events.map((e) => e.id);
    const match = window.find((r) => ids.includes(r.id));
    if (!match) return { kind: 'new', headRevision };

    // Where the earlier batch must start if this is a retry of it.
    const origin = match.revision - BigInt(ids.indexOf(match.id));
    const earlier = origin >= 0n ? await this.#readRange(esdbStream, origin, k) : [];
    this.#assertSameBatch(batch, earlier, match);
    return {
      kind: 'already_appended',
      result: {
        streamId: batch.streamId,
        nextExpectedVersion: toVersion(earlier.at(-1)!.revision),
        positions: earlier.map((r) => requirePosition(r)),
        duplicate: true,
      },
    };
  }

  /** `stored` must be this batch, event for event; otherwise an id of ours is in the log with something else. */
  #assertSameBatch(batch: AppendBatch, stored: readonly StoredRecord[], found?: StoredRecord): void {
    const esdbStream = this.#scope.toEsdb(batch.streamId);
    batch.events.forEach((event: PreparedEvent, i) => {
      const record = stored[i];
      if (record?.id !== event.id) {
        const where = found ?? stored.find((r) => batch.events.some((e) => e.id === r.id));
        if (!where) throw new Error(`EventStoreDB stored something other than the appended events in ${esdbStream}`);
        throw new DuplicateEventIdError(
          where.id,
          `a different batch (stream ${batch.streamId}, version ${where.revision})`,
        );
      }
      if (!sameContent(record, event))
        throw new DuplicateEventIdError(event.id, `other content (stream ${batch.streamId}, version ${record.revision})`);
    });
  }

  /** Up to `count` events of a stream from revision `from` on; [] when the stream does not exist. */
  #readRange(esdbStream: string, from: bigint, count: number): Promise<StoredRecord[]> {
    return this.#readStreamRecords(esdbStream, { direction: FORWARDS, fromRevision: from, maxCount: count });
  }

  async #readStreamRecords(
    esdbStream: string,
    options: { direction: typeof FORWARDS | typeof BACKWARDS; fromRevision: ReadRevision; maxCount: number },
  ): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    try {
      for await (const resolved of this.#client.readStream(esdbStream, options)) {
        const record = toStoredRecord(resolved);
        if (record) records.push(record);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return records;
  }

  async #readAllPage(
    from: ReadPosition,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    for await (const resolved of this.#client.readAll({ fromPosition: from, direction, maxCount })) {
      const record = toStoredRecord(resolved);
      if (record) records.push(record);
    }
    return records;
  }

  /**
   * Reads $all forwards from just after `after` until `limit` events of this
   * store passing `filter` are found or $all ends. Pages restart inclusively at
   * the last record seen, which is skipped by position.
   */
  async #scan(after: bigint, limit: number, filter: ReadAllFilter | undefined): Promise<ScanPage<E>> {
    const events: RecordedEvent<E>[] = [];
    let cursor = after;
    let from = readFromAfter(after);
    for (;;) {
      const page = await this.#readAllPage(from, FORWARDS, SCAN_PAGE);
      const start = cursor;
      for (const record of page) {
        const position = requirePosition(record);
        if (!isAfter(position, cursor)) continue;
        cursor = position;
        const streamId = this.#scope.admit(record, filter);
        if (streamId === null) continue;
        events.push(decodeRecord(this.#catalogue, record, streamId));
        if (events.length === limit) return { events, scannedTo: cursor, exhausted: false };
      }
      if (page.length < SCAN_PAGE) return { events, scannedTo: cursor, exhausted: true };
      if (cursor === start) throw new Error(`EventStoreDB $all did not advance past position ${cursor}`);
      from = toEsdbPosition(cursor);
    }
  }

  #follow(after: bigint, filter: ReadAllFilter | undefined): AllStreamSubscription {
    return this.#client.subscribeToAll({ fromPosition: readFromAfter(after), filter: this.#scope.serverFilter(filter) });
  }

  #admit(resolved: AllStreamResolvedEvent, after: bigint, filter: ReadAllFilter | undefined): RecordedEvent<E> | null {
    const record = toStoredRecord(resolved);
    if (!record || !isAfter(requirePosition(record), after)) return null;
    const streamId = this.#scope.admit(record, filter);
    return streamId === null ? null : decodeRecord(this.#catalogue, record, streamId);
  }
}

function toEventData(event: PreparedEvent): EventData {
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client JSON.stringifies data; the catalogue produced it from a zod schema, so it is JSON.
    data: event.data as JSONType,
    metadata: toEsdbMetadata(event.metadata),
  };
}

/** Library errors the caller can act on become ours; the rest (network, auth) pass through unchanged. */
function toAppendError(error: unknown, batch: AppendBatch): unknown {
  if (error instanceof MaxAppendSizeExceededError)
    return new InvalidArgumentError(
      `append of ${batch.events.length} events to ${batch.streamId} exceeds the server's maximum append size ` +
        `(${error.maxAppendSize} bytes)`,
    );
  return toConcurrencyError(error, batch.streamId, batch.expected);
}
