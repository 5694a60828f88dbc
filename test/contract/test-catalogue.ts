import { z } from 'zod';
import { EventCatalogue } from '../../src/events/catalogue.ts';

/**
 * A small catalogue for the store contract suite, independent of the domain so
 * the log's guarantees are proven on their own. It has a legacy version with an
 * upcaster so the read path's upcasting is exercised on every adapter.
 */
export const testCatalogue = EventCatalogue.create({
  current: {
    'test.note_added.v2': z.strictObject({ text: z.string(), author: z.string() }),
    'test.blob_stored.v1': z.strictObject({ blob: z.string() }),
    'test.counter_bumped.v1': z.strictObject({ writer: z.number().int(), n: z.number().int() }),
  },
  legacy: {
    'test.note_added.v1': z.strictObject({ text: z.string() }),
  },
  upcasters: [{ from: 'test.note_added.v1', upcast: (d) => ({ ...(d as { text: string }), author: 'unknown' }) }],
});

export type TestEvent = typeof testCatalogue extends EventCatalogue<infer E> ? E : never;
