import { eventTypeFilter, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { Filter } from '@eventstore/db-client';
import type { ReadAllFilter } from '../../event-store.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { streamCategory } from '../../stream-name.ts';
import { isSystemRecord } from './stored-record.ts';
import type { StoredRecord } from './stored-record.ts';

const NAMESPACE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Which part of an EventStoreDB server belongs to one store. Unscoped, our
 * stream `user-alice` is the ESDB stream `user-alice` and the store owns every
 * non-system event. With a namespace `ns` it is `ns:user-alice`, and reads,
 * subscriptions and `headPosition` only see streams under `ns:` — so several
 * deployments (or test runs) can share one server without seeing each other.
 */
export class StreamScope {
  readonly #prefix: string;

  private constructor(prefix: string) {
    this.#prefix = prefix;
  }

  static of(namespace: string | undefined): StreamScope {
    if (namespace === undefined) return new StreamScope('');
    if (!NAMESPACE.test(namespace))
      throw new InvalidArgumentError(`eventstoredb namespace ${JSON.stringify(namespace)} must match ${NAMESPACE}`);
    return new StreamScope(`${namespace}:`);
  }

  /** The ESDB stream that holds our stream. */
  toEsdb(streamId: string): string {
    return this.#prefix + streamId;
  }

  /** Our stream id for an ESDB stream, or null when the stream is a system stream or outside the scope. */
  fromEsdb(esdbStream: string): string | null {
    if (esdbStream.startsWith('$') || !esdbStream.startsWith(this.#prefix)) return null;
    return esdbStream.slice(this.#prefix.length);
  }

  /**
   * Our stream id if the record belongs to this store and passes the filter,
   * else null. Applied to everything read from $all, including what the server
   * already filtered: ESDB filters on stream name *or* event type, never both,
   * and this check is what the contract relies on.
   */
  admit(record: Pick<StoredRecord, 'esdbStream' | 'type'>, filter: ReadAllFilter | undefined): string | null {
    if (isSystemRecord(record)) return null;
    const streamId = this.fromEsdb(record.esdbStream);
    if (streamId === null) return null;
    const categories = filter?.categories ?? [];
    if (categories.length > 0 && !categories.includes(streamCategory(streamId))) return null;
    const typePrefixes = filter?.typePrefixes ?? [];
    if (typePrefixes.length > 0 && !typePrefixes.some((p) => record.type.startsWith(p))) return null;
    return streamId;
  }

  /**
   * The server-side filter for a subscription: the most selective one ESDB can
   * apply. Categories (and the namespace) are stream-name prefixes; type prefixes
   * go to the server only when there is no stream prefix to send. Whatever the
   * server cannot express, `admit` checks on arrival.
   */
  serverFilter(filter: ReadAllFilter | undefined): Filter {
    const categories = filter?.categories ?? [];
    if (categories.length > 0) return streamNameFilter({ prefixes: categories.map((c) => `${this.#prefix}${c}-`) });
    if (this.#prefix !== '') return streamNameFilter({ prefixes: [this.#prefix] });
    const typePrefixes = filter?.typePrefixes ?? [];
    if (typePrefixes.length > 0) return eventTypeFilter({ prefixes: [...typePrefixes] });
    return excludeSystemEvents();
  }
}
