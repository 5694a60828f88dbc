import { XMLBuilder } from 'fast-xml-parser';
import { AggregatedPresenceSchema, CHORUS_PRESENCE_NS, DATA_MODEL_NS, PIDF_NS, RPID_NS, type AggregatedPresence } from './pidf-model.ts';

/** Text and attribute values are escaped by the builder (processEntities), never concatenated by hand. */
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  processEntities: true,
  format: false,
});

/**
 * The PIDF document a watcher receives for one presentity: one tuple (basic status, contact, note,
 * timestamp) and one <dm:person> with the RPID activity, the note, and the OCS availability as
 * Chorus's extension element. Throws (a programming error, not bad input from the network) when
 * `input` does not satisfy AggregatedPresenceSchema.
 */
export function buildPidf(input: AggregatedPresence): string {
  const p = AggregatedPresenceSchema.parse(input);
  const tuple: Record<string, unknown> = {
    '@_id': p.tupleId,
    status: { basic: p.basic },
    ...(p.contact !== undefined ? { contact: p.contact } : {}),
    ...(p.note !== undefined ? { note: p.note } : {}),
    ...(p.timestamp !== undefined ? { timestamp: p.timestamp.toISOString() } : {}),
  };
  const person: Record<string, unknown> = {
    '@_id': p.personId,
    ...(p.activity !== undefined ? { 'rpid:activities': { [`rpid:${p.activity}`]: '' } } : {}),
    ...(p.note !== undefined ? { 'dm:note': p.note } : {}),
    ...(p.availability !== undefined ? { 'chorus:availability': String(p.availability) } : {}),
  };
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    presence: {
      '@_xmlns': PIDF_NS,
      '@_xmlns:dm': DATA_MODEL_NS,
      '@_xmlns:rpid': RPID_NS,
      '@_xmlns:chorus': CHORUS_PRESENCE_NS,
      '@_entity': p.entity,
      tuple,
      'dm:person': person,
    },
  };
  return builder.build(document) as string;
}
