import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { Filter } from '@eventstore/db-client';
import { ConcurrencyError, InvalidArgumentError, InvalidEventError, UnknownEventTypeError } from '../../../src/events/errors.ts';
import { toClientConnectionString } from '../../../src/events/store/eventstoredb/connection-string.ts';
import {
  decodeMetadata,
  decodeRecord,
  sameContent,
  toEsdbMetadata,
} from '../../../src/events/store/eventstoredb/decode-record.ts';
import {
  toActualVersion,
  toConcurrencyError,
  toExpectedRevision,
} from '../../../src/events/store/eventstoredb/expected-revision.ts';
import { isAfter, readFromAfter, toGlobalPosition } from '../../../src/events/store/eventstoredb/positions.ts';
import { StreamScope } from '../../../src/events/store/eventstoredb/stream-scope.ts';
import type { StoredRecord } from '../../../src/events/store/eventstoredb/stored-record.ts';
import { testCatalogue } from '../../contract/test-catalogue.ts';

const metadata = {
  occurredAt: '2025-01-02T03:04:05.000Z',
  correlationId: 'corr-1',
  causationId: null,
  actor: 'sip:alice@example.test',
  node: 'fe-1',
};

/** The part of a client filter the server acts on (the client adds optional callback fields). */
function filterShape(filter: Filter): { filterOn: string; match: string | string[] } {
  return { filterOn: filter.filterOn, match: 'prefixes' in filter ? filter.prefixes : filter.regex };
}

function stored(overrides: Partial<StoredRecord> = {}): StoredRecord {
  return {
    esdbStream: 'note-1',
    id: '0190b6a0-0000-7000-8000-000000000001',
    type: 'test.note_added.v2',
    revision: 3n,
    position: 4096n,
    created: new Date('2025-01-02T03:04:06.123Z'),
    data: { text: 'hi', author: 'bob' },
    metadata: toEsdbMetadata(metadata),
    ...overrides,
  };
}

describe('eventstoredb expected version mapping', () => {
  it('maps versions to bigint revisions and the keywords to the client constants', () => {
    assert.equal(toExpectedRevision(0), 0n);
    assert.equal(toExpectedRevision(41), 41n);
    assert.equal(toExpectedRevision('no_stream'), NO_STREAM);
    assert.equal(toExpectedRevision('exists'), STREAM_EXISTS);
    assert.equal(toExpectedRevision('any'), ANY);
  });

  it('maps the current revision to our actual version', () => {
    assert.equal(toActualVersion(7n), 7);
    assert.equal(toActualVersion(NO_STREAM), 'no_stream');
    assert.equal(toActualVersion(-1n), 'no_stream');
  });

  it('turns WrongExpectedVersionError into ConcurrencyError with expected and actual', () => {
    const wrong = new WrongExpectedVersionError(undefined, { streamName: 'user-a', expected: 2n, current: 5n });
    const mapped = toConcurrencyError(wrong, 'user-a', 2);
    assert.ok(mapped instanceof ConcurrencyError);
    assert.equal(mapped.streamId, 'user-a');
    assert.equal(mapped.expected, 2);
    assert.equal(mapped.actual, 5);

    const empty = new WrongExpectedVersionError(undefined, {
      streamName: 'user-a',
      expected: STREAM_EXISTS,
      current: NO_STREAM,
    });
    const mappedEmpty = toConcurrencyError(empty, 'user-a', 'exists');
    assert.ok(mappedEmpty instanceof ConcurrencyError);
    assert.equal(mappedEmpty.expected, 'exists');
    assert.equal(mappedEmpty.actual, 'no_stream');
  });

  it('passes other errors through untouched', () => {
    const other = new StreamNotFoundError(undefined, 'user-a');
    assert.equal(toConcurrencyError(other, 'user-a', 0), other);
  });
});

describe('eventstoredb positions', () => {
  it('uses the commit position as the global position', () => {
    assert.equal(toGlobalPosition({ commit: 1234n, prepare: 1234n }), 1234n);
  });

  it('treats a missing or all-ones position as "no position"', () => {
    assert.equal(toGlobalPosition(undefined), null);
    assert.equal(toGlobalPosition({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n }), null);
  });

  it('reads $all from the start for 0n and inclusively from the position otherwise', () => {
    assert.equal(readFromAfter(0n), START);
    assert.deepEqual(readFromAfter(9000n), { commit: 9000n, prepare: 9000n });
    // Inclusive start: the event at `after` comes back and must be dropped.
    assert.equal(isAfter(9000n, 9000n), false);
    assert.equal(isAfter(9001n, 9000n), true);
  });

  it('rejects a negative checkpoint', () => {
    assert.throws(() => readFromAfter(-1n), InvalidArgumentError);
  });
});

describe('eventstoredb stream scope', () => {
  it('maps stream names into and out of a namespace', () => {
    const scope = StreamScope.of('run1');
    assert.equal(scope.toEsdb('user-alice@example.test'), 'run1:user-alice@example.test');
    assert.equal(scope.fromEsdb('run1:user-alice@example.test'), 'user-alice@example.test');
    assert.equal(scope.fromEsdb('run2:user-alice@example.test'), null);
    assert.equal(scope.fromEsdb('user-alice@example.test'), null);
  });

  it('leaves names alone without a namespace but still refuses system streams', () => {
    const scope = StreamScope.of(undefined);
    assert.equal(scope.toEsdb('user-a'), 'user-a');
    assert.equal(scope.fromEsdb('user-a'), 'user-a');
    assert.equal(scope.fromEsdb('$stats-127.0.0.1:2113'), null);
  });

  it('admits only non-system events in scope that pass category and type filters', () => {
    const scope = StreamScope.of('ns');
    const filter = { categories: ['note'], typePrefixes: ['test.note_'] };
    assert.equal(scope.admit({ esdbStream: 'ns:note-1', type: 'test.note_added.v2' }, filter), 'note-1');
    assert.equal(scope.admit({ esdbStream: 'ns:blob-1', type: 'test.note_added.v2' }, filter), null);
    assert.equal(scope.admit({ esdbStream: 'ns:note-1', type: 'test.blob_stored.v1' }, filter), null);
    assert.equal(scope.admit({ esdbStream: 'ns:note-1', type: '$metadata' }, undefined), null);
    assert.equal(scope.admit({ esdbStream: '$$ns:note-1', type: 'test.note_added.v2' }, undefined), null);
    // A category is the text before the first dash, so `notes` is not `note`.
    assert.equal(scope.admit({ esdbStream: 'ns:notes-1', type: 'test.note_added.v2' }, filter), null);
  });

  it('sends the most selective filter the server can apply', () => {
    const scoped = StreamScope.of('ns');
    assert.deepEqual(filterShape(scoped.serverFilter({ categories: ['note', 'blob'], typePrefixes: ['test.'] })), {
      filterOn: 'streamName',
      match: ['ns:note-', 'ns:blob-'],
    });
    assert.deepEqual(filterShape(scoped.serverFilter({ typePrefixes: ['test.'] })), {
      filterOn: 'streamName',
      match: ['ns:'],
    });
    const unscoped = StreamScope.of(undefined);
    assert.deepEqual(filterShape(unscoped.serverFilter({ typePrefixes: ['test.'] })), {
      filterOn: 'eventType',
      match: ['test.'],
    });
    assert.deepEqual(filterShape(unscoped.serverFilter(undefined)), { filterOn: 'eventType', match: '^[^$].*' });
  });

  it('rejects a namespace that could collide with system streams or categories', () => {
    assert.throws(() => StreamScope.of('$all'), InvalidArgumentError);
    assert.throws(() => StreamScope.of('has:colon'), InvalidArgumentError);
    assert.throws(() => StreamScope.of(''), InvalidArgumentError);
  });
});

describe('eventstoredb connection strings', () => {
  it('accepts the KurrentDB schemes by rewriting them for the 6.x client', () => {
    assert.equal(toClientConnectionString('esdb://h:2113?tls=false'), 'esdb://h:2113?tls=false');
    assert.equal(toClientConnectionString('kurrentdb://h:2113?tls=false'), 'esdb://h:2113?tls=false');
    assert.equal(toClientConnectionString('kdb+discover://a,b,c'), 'esdb+discover://a,b,c');
    assert.throws(() => toClientConnectionString('postgres://x'), InvalidArgumentError);
  });
});

describe('eventstoredb record decoding', () => {
  it('builds the recorded event: revision as version, commit as position, created as recordedAt', () => {
    const event = decodeRecord(testCatalogue, stored(), 'note-1');
    assert.deepEqual(event, {
      type: 'test.note_added.v2',
      data: { text: 'hi', author: 'bob' },
      id: '0190b6a0-0000-7000-8000-000000000001',
      streamId: 'note-1',
      streamVersion: 3,
      globalPosition: 4096n,
      metadata: { ...metadata, recordedAt: '2025-01-02T03:04:06.123Z' },
    });
  });

  it('upcasts legacy versions through the catalogue', () => {
    const event = decodeRecord(testCatalogue, stored({ type: 'test.note_added.v1', data: { text: 'old' } }), 'note-1');
    assert.equal(event.type, 'test.note_added.v2');
    assert.deepEqual(event.data, { text: 'old', author: 'unknown' });
  });

  it('writes ESDB correlation keys and ignores $-keys on read', () => {
    const esdb = toEsdbMetadata({ ...metadata, causationId: 'cause-1' });
    assert.equal(esdb['$correlationId'], 'corr-1');
    assert.equal(esdb['$causationId'], 'cause-1');
    assert.equal(decodeMetadata(stored({ metadata: esdb })).causationId, 'cause-1');
  });

  it('rejects stored metadata that fails the schema, and unknown types', () => {
    assert.throws(
      () => decodeMetadata(stored({ metadata: { ...metadata, actor: '' } })),
      (e: unknown) => e instanceof InvalidEventError && e.issues.some((i) => i.path.join('.') === 'metadata.actor'),
    );
    assert.throws(() => decodeMetadata(stored({ metadata: undefined })), InvalidEventError);
    assert.throws(() => decodeRecord(testCatalogue, stored({ type: 'other.thing.v1' }), 'note-1'), UnknownEventTypeError);
  });

  it('refuses to invent a position the server did not send', () => {
    assert.throws(() => decodeRecord(testCatalogue, stored({ position: null }), 'note-1'), /22\.6/);
  });

  it('compares a retry with the stored event by type, data and metadata', () => {
    const retry = {
      id: '0190b6a0-0000-7000-8000-000000000001',
      type: 'test.note_added.v2',
      data: { author: 'bob', text: 'hi' },
      metadata,
    };
    assert.equal(sameContent(stored(), retry), true);
    assert.equal(sameContent(stored(), { ...retry, data: { text: 'hi', author: 'eve' } }), false);
    assert.equal(sameContent(stored(), { ...retry, metadata: { ...metadata, node: 'fe-2' } }), false);
    assert.equal(sameContent(stored(), { ...retry, type: 'test.blob_stored.v1' }), false);
  });
});
