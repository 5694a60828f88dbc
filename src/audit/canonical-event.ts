import { hash } from 'node:crypto';

/**
 * The tamper-evident hash of one stored event, and how hashes chain.
 *
 * The canonical form is built from the row exactly as stored, never from the
 * decoded (upcast) event: an audit is about what the log holds. `data` and
 * `metadata` are PostgreSQL's own canonical jsonb text (`jsonb::text`: keys
 * de-duplicated and ordered by length then bytes, `", "` / `": "` separators,
 * numbers as numeric text), so the verifier hashes text straight from the
 * database without a JSON parse: that is what keeps verification above
 * 100,000 events/s. Everything else is a compact JSON envelope with its keys in
 * code-unit order. See docs/audit.md, "Canonical form".
 */
export interface StoredEventText {
  /** Decimal global position. */
  readonly position: string;
  /** Lower-case uuid text, as PostgreSQL prints it. */
  readonly eventId: string;
  readonly streamId: string;
  /** Decimal stream version. */
  readonly streamVersion: string;
  /** The stored type, legacy versions included. */
  readonly type: string;
  /** `data::text`. */
  readonly data: string;
  /** `metadata::text`. */
  readonly metadata: string;
  /** `metadata->>'recordedAt'`; null when the row has none. */
  readonly recordedAt: string | null;
}

/** The previous hash of the first event of the log: 32 zero bytes, in hex. */
export const GENESIS_HASH = '0'.repeat(64);

const SCHEMA_VERSION = /\.v([1-9][0-9]*)$/;

/** The `N` of `<area>.<name>.v<N>`, or null for a type that does not follow the convention. */
export function schemaVersionOf(type: string): number | null {
  const m = SCHEMA_VERSION.exec(type);
  return m ? Number(m[1]) : null;
}

/** `"schemaVersion":…` for a type; a log holds a few dozen types, so the regex runs once per type. */
const schemaVersionText = new Map<string, string>();
function schemaVersionField(type: string): string {
  let text = schemaVersionText.get(type);
  if (text === undefined) {
    const version = schemaVersionOf(type);
    text = `,"schemaVersion":${version === null ? 'null' : String(version)}`;
    if (schemaVersionText.size < 10_000) schemaVersionText.set(type, text);
  }
  return text;
}

/**
 * The canonical text of an event. Key order (code-unit order) is spelled out
 * rather than sorted at run time: this runs once per event on every verify.
 */
export function canonicalEvent(e: StoredEventText): string {
  return (
    `{"data":${e.data}` +
    `,"eventId":${JSON.stringify(e.eventId)}` +
    `,"metadata":${e.metadata}` +
    `,"position":"${e.position}"` +
    `,"recordedAt":${e.recordedAt === null ? 'null' : JSON.stringify(e.recordedAt)}` +
    schemaVersionField(e.type) +
    `,"streamId":${JSON.stringify(e.streamId)}` +
    `,"streamVersion":"${e.streamVersion}"` +
    `,"type":${JSON.stringify(e.type)}}`
  );
}

/** SHA-256 of the canonical text (UTF-8), lower-case hex. */
export function eventHash(e: StoredEventText): string {
  return hash('sha256', canonicalEvent(e), 'hex');
}

/** SHA-256 over the ASCII of `previous ‖ event` (both lower-case hex): the chain link. */
export function chainHash(previous: string, eventHashHex: string): string {
  return hash('sha256', previous + eventHashHex, 'hex');
}
