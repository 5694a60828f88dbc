import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import type { AuditFact } from '../projections/audit-timeline/audit-fold.ts';
import { scanAuditLog } from '../projections/audit-timeline/audit-log-scan.ts';
import { CsvFormatter } from './csv-formatter.ts';
import type { ExportFilter, ExportFormat } from './export-filter.ts';
import type { ExportContext, ExportFormatter } from './export-formatter.ts';
import { HtmlFormatter } from './html-formatter.ts';
import { JsonlFormatter } from './jsonl-formatter.ts';

export function createExportFormatter(format: ExportFormat, context: ExportContext): ExportFormatter {
  switch (format) {
    case 'jsonl':
      return new JsonlFormatter();
    case 'csv':
      return new CsvFormatter();
    case 'html':
      return new HtmlFormatter(context);
    default: {
      const unreachable: never = format;
      throw new RangeError(`unknown export format ${String(unreachable)}`);
    }
  }
}

/** The filter's users the fact concerns; without a user filter, all its parties. null: the fact is filtered out. */
export function exportedUsers(fact: AuditFact, filter: ExportFilter): readonly string[] | null {
  if (!filter.workloads.includes(fact.workload)) return null;
  const at = Date.parse(fact.event.metadata.occurredAt);
  if (filter.from !== null && at < Date.parse(filter.from)) return null;
  if (filter.to !== null && at >= Date.parse(filter.to)) return null;
  if (filter.users.length === 0) return [...fact.parties.keys()];
  const users = filter.users.filter((u) => fact.parties.has(u));
  return users.length === 0 ? null : users;
}

export interface ExportLogOptions {
  readonly format: ExportFormat;
  readonly filter: ExportFilter;
  /** Last position to read; default the head when the export starts (appends meanwhile stay out, so the file is reproducible). */
  readonly upTo?: bigint;
  /** After each batch read: the last position read and where the export stops. */
  readonly onProgress?: (position: bigint, upTo: bigint) => void;
  /** Events per read. Default 5,000. */
  readonly batchSize?: number;
}

/** An export about to run: where it stops (known before the first byte) and its text, chunk by chunk. */
export interface LogExport {
  readonly upTo: bigint;
  readonly contentType: string;
  readonly chunks: AsyncGenerator<string>;
}

/** Below this many characters chunks are joined, so a file gets few large writes rather than one per event. */
const CHUNK_CHARS = 64 * 1024;

/**
 * A filtered replay of the log through the EventStore interface (so the
 * encryption decorator and erasure placeholders apply), rendered in one
 * format. Same log up to `upTo` + same filter → same bytes: the formats read
 * nothing but the events and the filter.
 */
export async function exportLog(store: EventStore<DomainEvent>, options: ExportLogOptions): Promise<LogExport> {
  const upTo = options.upTo ?? (await store.headPosition());
  const { filter } = options;
  const formatter = createExportFormatter(options.format, { filter, upTo });
  async function* chunks(): AsyncGenerator<string> {
    // The start goes out at once: an HTTP client gets its answer before the first read of the log.
    const start = formatter.start();
    if (start !== '') yield start;
    let pending = '';
    const facts = scanAuditLog(store, {
      workloads: filter.workloads,
      upTo,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    for await (const fact of facts) {
      const users = exportedUsers(fact, filter);
      if (users === null) continue;
      pending += formatter.add(fact, users);
      if (pending.length >= CHUNK_CHARS) {
        yield pending;
        pending = '';
      }
    }
    pending += formatter.finish();
    if (pending !== '') yield pending;
  }
  return { upTo, contentType: formatter.contentType, chunks: chunks() };
}
