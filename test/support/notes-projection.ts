import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../../src/events/envelope.ts';
import { defineInMemoryView } from '../../src/projections/framework/in-memory-view-definition.ts';
import { defineSqlProjection, type HandledEvent, type SqlProjection } from '../../src/projections/framework/sql-projection.ts';
import type { TestEvent } from '../contract/test-catalogue.ts';

/**
 * A sample projection over the contract test catalogue, for the framework's
 * tests: how many notes each author wrote, plus a log of every note. Two
 * tables so a rebuild must reset both; `occurred_at` comes from the event
 * metadata so the rows are deterministic.
 */
const NOTES_SCHEMA_V1 = /* sql */ `
CREATE TABLE notes_per_author (
  author           text   PRIMARY KEY,
  notes            bigint NOT NULL,
  last_position    bigint NOT NULL
);
CREATE TABLE note_log (
  global_position bigint      PRIMARY KEY,
  author          text        NOT NULL,
  text            text        NOT NULL,
  occurred_at     timestamptz NOT NULL
);`;

// Version 2 adds a column, to prove a version bump rebuilds with the new schema.
const NOTES_SCHEMA_V2 = NOTES_SCHEMA_V1.replace('last_position    bigint NOT NULL', 'last_position bigint NOT NULL,\n  chars bigint NOT NULL');

const COUNT_NOTE_V1 = /* sql */ `
INSERT INTO notes_per_author (author, notes, last_position) VALUES ($1, 1, $2)
ON CONFLICT (author) DO UPDATE SET notes = notes_per_author.notes + 1, last_position = EXCLUDED.last_position`;

const COUNT_NOTE_V2 = /* sql */ `
INSERT INTO notes_per_author (author, notes, last_position, chars) VALUES ($1, 1, $2, $3)
ON CONFLICT (author) DO UPDATE SET notes = notes_per_author.notes + 1, last_position = EXCLUDED.last_position,
  chars = notes_per_author.chars + EXCLUDED.chars`;

const LOG_NOTE = /* sql */ `
INSERT INTO note_log (global_position, author, text, occurred_at) VALUES ($1, $2, $3, $4)`;

export const NOTES_TABLES = ['notes_per_author', 'note_log'] as const;

export interface NotesProjectionOptions {
  readonly version?: 1 | 2;
  /**
   * A note with this text makes `handle` throw AFTER it wrote that batch's
   * rows: the "crash between the rows and the checkpoint" case.
   */
  readonly failOnText?: string;
}

export function notesPerAuthorProjection(options: NotesProjectionOptions = {}): SqlProjection<TestEvent, HandledEvent<TestEvent, 'test.note_added.v2'>> {
  const version = options.version ?? 1;
  return defineSqlProjection<TestEvent, 'test.note_added.v2'>({
    name: 'notes_per_author',
    version,
    tables: NOTES_TABLES,
    schema: version === 1 ? NOTES_SCHEMA_V1 : NOTES_SCHEMA_V2,
    canHandle: ['test.note_added.v2'],
    async handle(events, tx) {
      for (const event of events) {
        const { author, text } = event.data;
        if (version === 1) await tx.query(COUNT_NOTE_V1, [author, event.globalPosition]);
        else await tx.query(COUNT_NOTE_V2, [author, event.globalPosition, text.length]);
        await tx.query(LOG_NOTE, [event.globalPosition, author, text, event.metadata.occurredAt]);
      }
      if (options.failOnText !== undefined && events.some((e) => e.data.text === options.failOnText))
        throw new Error(`refusing note ${JSON.stringify(options.failOnText)}`);
    },
  });
}

/** The same count, in memory: author → notes. */
export const notesPerAuthorView = defineInMemoryView<TestEvent, Map<string, number>, string, 'test.note_added.v2'>({
  name: 'notes_per_author_view',
  canHandle: ['test.note_added.v2'],
  initialState: () => new Map(),
  apply(state, event) {
    const { author } = event.data;
    state.set(author, (state.get(author) ?? 0) + 1);
    return [author];
  },
});

let tick = 0;

/** A new note event; ids are UUIDv7 and `occurredAt` advances one second per call (no wall clock). */
export function note(author: string, text: string): NewEvent<TestEvent> {
  tick += 1;
  return {
    id: uuidv7(),
    type: 'test.note_added.v2',
    data: { author, text },
    metadata: {
      occurredAt: new Date(Date.UTC(2025, 0, 1) + tick * 1000).toISOString(),
      correlationId: 'framework-test',
      causationId: null,
      actor: `sip:${author}@example.test`,
      node: 'test',
    },
  };
}

/** An event the notes projection does not handle. */
export function bump(writer: number, n: number): NewEvent<TestEvent> {
  tick += 1;
  return {
    id: uuidv7(),
    type: 'test.counter_bumped.v1',
    data: { writer, n },
    metadata: {
      occurredAt: new Date(Date.UTC(2025, 0, 1) + tick * 1000).toISOString(),
      correlationId: 'framework-test',
      causationId: null,
      actor: 'test',
      node: 'test',
    },
  };
}
