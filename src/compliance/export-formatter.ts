import type { AuditFact } from '../projections/audit-timeline/audit-fold.ts';
import type { ExportFilter } from './export-filter.ts';

/** What every format may print about the export as a whole (never the wall clock: the file must be reproducible). */
export interface ExportContext {
  readonly filter: ExportFilter;
  /** The last log position the export read: the same log up to here and the same filter give the same bytes. */
  readonly upTo: bigint;
}

/**
 * Turns the matching events, in log order, into a file's text. Stateful
 * (HTML groups by user), so one formatter serves one export.
 */
export interface ExportFormatter {
  /** For the HTTP answer. */
  readonly contentType: string;
  /** Text before the first event. */
  start(): string;
  /** Text for one matching event; `users` are the filter's users it concerns (all of its parties without a user filter). */
  add(fact: AuditFact, users: readonly string[]): string;
  /** Text after the last event. */
  finish(): string;
}
