import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { err, ok, type Result } from '../sip/result.ts';
import { AvailabilitySchema, BasicStatusSchema, PresenceUriSchema, type PidfDocument, type PidfError, type PidfTuple } from './pidf-model.ts';

/** Bodies beyond this are refused before parsing: presence documents are small, XML parsing is not free. */
export const MAX_PIDF_BYTES = 64 * 1024;

/**
 * Namespace prefixes are the sender's choice (`rpid:`, `r:`, `ep:` are all seen in the wild), so
 * elements are matched by local name (removeNSPrefix). Repeated elements always become arrays.
 * Values stay strings (no number guessing), DOCTYPE entities are refused by the validator
 * below, and attributes are kept with an `@_` prefix.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});
const ARRAY_ELEMENTS = new Set(['presence', 'tuple', 'note', 'person', 'activities', 'contact', 'availability']);

/** Text content of an element that may also carry attributes (e.g. <note xml:lang="en">). */
const TextSchema = z.union([z.string(), z.object({ '#text': z.string().optional() }).loose()]).transform((v) => (typeof v === 'string' ? v : (v['#text'] ?? '')));

const NotesSchema = z.array(TextSchema).default([]);

const TupleSchema = z
  .object({
    '@_id': z.string().min(1, 'tuple id is required'),
    status: z.union([z.literal(''), z.object({ basic: BasicStatusSchema.optional() }).loose()]),
    contact: z.array(TextSchema).max(1).optional(),
    note: NotesSchema,
  })
  .loose();

/** RFC 4480 <activities>: each child element is one activity; <note> children are not activities. */
const ActivitiesSchema = z.union([z.literal(''), z.record(z.string(), z.unknown())]).transform((v) =>
  typeof v === 'string' ? [] : Object.keys(v).filter((name) => !name.startsWith('@_') && name !== '#text' && name !== 'note'),
);

const PersonSchema = z.union([
  z.literal('').transform(() => ({ note: [] as string[], activities: [] as string[][], availability: undefined })),
  z
    .object({
      note: NotesSchema,
      activities: z.array(ActivitiesSchema).default([]),
      availability: z.array(TextSchema.pipe(z.string().regex(/^\d+$/, 'availability must be a whole number')).transform(Number).pipe(AvailabilitySchema)).max(1).optional(),
    })
    .loose()
    .transform((p) => ({ note: p.note, activities: p.activities, availability: p.availability?.[0] })),
]);

const DocumentSchema = z.object({
  presence: z
    .array(
      z
        .object({
          '@_entity': PresenceUriSchema,
          tuple: z.array(TupleSchema).default([]),
          note: NotesSchema,
          person: z.array(PersonSchema).default([]),
        })
        .loose(),
    )
    .length(1, 'the document must have exactly one <presence> root element'),
});

function toDocument(parsed: z.infer<typeof DocumentSchema>): PidfDocument {
  // length(1) was checked by the schema.
  const presence = parsed.presence[0]!;
  const tuples: PidfTuple[] = presence.tuple.map((t) => ({
    id: t['@_id'],
    basic: typeof t.status === 'string' ? undefined : t.status.basic,
    contact: t.contact?.[0],
    notes: t.note,
  }));
  const persons = presence.person;
  return {
    entity: presence['@_entity'],
    tuples,
    notes: [...presence.note, ...persons.flatMap((p) => p.note)],
    activities: persons.flatMap((p) => p.activities.flat()),
    availability: persons.map((p) => p.availability).find((a) => a !== undefined),
  };
}

/**
 * Parses a PIDF body (RFC 3863 with RFC 4479 persons, RFC 4480 activities and Chorus's availability
 * extension). Never throws on input: a malformed or invalid document is an `err` whose message a
 * 400 response can carry.
 */
export function parsePidf(body: string | Buffer): Result<PidfDocument, PidfError> {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_PIDF_BYTES) return err({ kind: 'invalid-pidf', message: `PIDF body of ${size} bytes exceeds ${MAX_PIDF_BYTES}`, issues: [] });
  const xml = typeof body === 'string' ? body : body.toString('utf8');
  // fast-xml-parser's parser is lenient (it accepts unclosed tags); its validator is not.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return err({ kind: 'malformed-xml', message: `malformed XML: ${valid.err.msg}`, line: valid.err.line, column: valid.err.col });
  }
  // A DOCTYPE could declare entities (billion laughs); presence documents never need one.
  if (/<!DOCTYPE/i.test(xml)) return err({ kind: 'malformed-xml', message: 'DOCTYPE is not allowed in a PIDF document' });
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (error) {
    return err({ kind: 'malformed-xml', message: `malformed XML: ${error instanceof Error ? error.message : String(error)}` });
  }
  const parsed = DocumentSchema.safeParse(tree);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return err({ kind: 'invalid-pidf', message: `invalid PIDF: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues });
  }
  return ok(toDocument(parsed.data));
}
