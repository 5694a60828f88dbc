import type { JsonValue } from './audit-entry.ts';
import type { Workload } from './workload.ts';

/** A user concerned by an event and the parts they played in it (`caller`, `watcher`, …). */
export interface TimelineParty {
  readonly sipUri: string;
  readonly as: readonly string[];
}

/** One event of the unified timeline: the same whether read from the read model or folded from the log. */
export interface UnifiedTimelineItem {
  readonly position: bigint;
  readonly occurredAt: string;
  readonly workload: Workload;
  readonly eventType: string;
  readonly streamId: string;
  /** The audit summary: compact, never secrets or IM bodies (audit-entry.ts). */
  readonly summary: { readonly [key: string]: JsonValue };
  /** Every user the event concerns, in the audit timeline's order. */
  readonly parties: readonly TimelineParty[];
}

export interface UnifiedTimelinePage {
  /** In log order. */
  readonly items: readonly UnifiedTimelineItem[];
  /** Pass as `after` for the next page; null when this page was the last (it came back short). */
  readonly next: bigint | null;
}
