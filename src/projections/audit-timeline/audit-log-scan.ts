import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { AuditFold, type AuditFact } from './audit-fold.ts';
import { WORKLOAD_TYPE_PREFIX, WORKLOADS, type Workload } from './workload.ts';

export interface AuditLogScanOptions {
  /** Read only these workloads' events; default all. Their contexts need nothing else, so the fold stays exact. */
  readonly workloads?: readonly Workload[];
  /** Stop after this position (inclusive). Default: the head when the scan starts, so appends meanwhile are not half-read. */
  readonly upTo?: bigint;
  /** Events per `readAll`. Default 5,000 (the store allows 10,000). */
  readonly batchSize?: number;
  /** After each batch: the last position read and the position the scan stops at. */
  readonly onProgress?: (position: bigint, upTo: bigint) => void;
}

/**
 * Every event of the log from position 1, with what the audit trail says
 * about it (AuditFold), in log order. Reads through the EventStore interface
 * only, so a store decorator (field encryption, erasure placeholders) applies.
 * Always from the start: the parties of a call that began before a window
 * are known only from its first events.
 */
export async function* scanAuditLog(store: EventStore<DomainEvent>, options: AuditLogScanOptions = {}): AsyncGenerator<AuditFact> {
  const upTo = options.upTo ?? (await store.headPosition());
  const batchSize = options.batchSize ?? 5_000;
  const workloads = options.workloads ?? WORKLOADS;
  const filter = workloads.length === WORKLOADS.length ? undefined : { typePrefixes: workloads.map((w) => WORKLOAD_TYPE_PREFIX[w]) };
  const fold = new AuditFold();
  let after = 0n;
  while (after < upTo) {
    const events = await store.readAll({ after, limit: batchSize, ...(filter ? { filter } : {}) });
    if (events.length === 0) break;
    for (const event of events) {
      if (event.globalPosition > upTo) {
        after = upTo;
        break;
      }
      yield fold.apply(event);
      after = event.globalPosition;
    }
    options.onProgress?.(after, upTo);
  }
  // A filtered read ends on its last match, not on upTo: the scan still covered everything up to it.
  options.onProgress?.(upTo, upTo);
}
