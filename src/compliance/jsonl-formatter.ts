import type { AuditFact } from '../projections/audit-timeline/audit-fold.ts';
import { canonicalJson } from './canonical-json.ts';
import type { ExportFormatter } from './export-formatter.ts';

/**
 * The events themselves, one per line, keys in canonical order at every
 * depth (canonical-json.ts); positions as decimal strings. Nothing else: a
 * JSONL export can be fed back to tools that read the log's own envelopes.
 */
export class JsonlFormatter implements ExportFormatter {
  readonly contentType = 'application/x-ndjson; charset=utf-8';

  start(): string {
    return '';
  }

  add({ event }: AuditFact): string {
    return `${canonicalJson({
      id: event.id,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      globalPosition: event.globalPosition,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    })}\n`;
  }

  finish(): string {
    return '';
  }
}
