/** PIDF codec: parse what clients PUBLISH, build what watchers are NOTIFYed. */
export { buildPidf } from './pidf-builder.ts';
export {
  AggregatedPresenceSchema,
  CHORUS_PRESENCE_NS,
  DATA_MODEL_NS,
  PIDF_CONTENT_TYPE,
  PIDF_NS,
  RPID_ACTIVITIES,
  RPID_NS,
  type AggregatedPresence,
  type BasicStatus,
  type PidfDocument,
  type PidfError,
  type PidfTuple,
  type RpidActivity,
} from './pidf-model.ts';
export { MAX_PIDF_BYTES, parsePidf } from './pidf-parser.ts';
