import type { AuditFact } from '../projections/audit-timeline/audit-fold.ts';
import { canonicalJson } from './canonical-json.ts';
import type { ExportFormatter } from './export-formatter.ts';

/** The fixed columns, in order; `users` is `sip:a@x[caller]; sip:b@x[callee,forward_target]`, `data` the event's canonical JSON. */
export const CSV_COLUMNS = [
  'position',
  'occurred_at',
  'recorded_at',
  'workload',
  'event_type',
  'stream_id',
  'stream_version',
  'event_id',
  'actor',
  'node',
  'correlation_id',
  'causation_id',
  'users',
  'data',
] as const;

// Spreadsheets run a cell starting with these as a formula (CSV injection); a leading ' keeps it text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled. */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row, CRLF line ends, the same columns for every event. */
export class CsvFormatter implements ExportFormatter {
  readonly contentType = 'text/csv; charset=utf-8; header=present';

  start(): string {
    return `${CSV_COLUMNS.join(',')}\r\n`;
  }

  add({ event, workload, parties }: AuditFact): string {
    const m = event.metadata;
    const users = [...parties].map(([uri, roles]) => `${uri}[${roles.join(',')}]`).join('; ');
    const cells = [
      event.globalPosition.toString(),
      new Date(m.occurredAt).toISOString(),
      new Date(m.recordedAt).toISOString(),
      workload,
      event.type,
      event.streamId,
      String(event.streamVersion),
      event.id,
      m.actor,
      m.node,
      m.correlationId,
      m.causationId ?? '',
      users,
      canonicalJson(event.data),
    ];
    return `${cells.map(csvCell).join(',')}\r\n`;
  }

  finish(): string {
    return '';
  }
}
