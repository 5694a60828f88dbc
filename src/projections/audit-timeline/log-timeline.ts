import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { AuditFact } from './audit-fold.ts';
import { scanAuditLog } from './audit-log-scan.ts';
import { sortedKeys } from './sorted-keys.ts';
import type { UnifiedTimelineItem, UnifiedTimelinePage } from './unified-timeline-item.ts';
import { UnifiedTimelineQuerySchema, type UnifiedTimelineQuery, type ValidUnifiedTimelineQuery } from './unified-timeline-query.ts';
import { WORKLOADS, type Workload } from './workload.ts';

/** Whether a fact belongs on the timeline `q` asks for (the read model's WHERE clause, in memory). */
export function matchesTimelineQuery(fact: AuditFact, q: Omit<ValidUnifiedTimelineQuery, 'limit' | 'after'>): boolean {
  if (fact.summary === null) return false;
  if (q.user !== undefined && !fact.parties.has(q.user)) return false;
  if (q.workloads !== undefined && !q.workloads.includes(fact.workload)) return false;
  const at = Date.parse(fact.event.metadata.occurredAt);
  if (q.from !== undefined && at < Date.parse(q.from)) return false;
  if (q.to !== undefined && at >= Date.parse(q.to)) return false;
  return true;
}

export function timelineItem(fact: AuditFact): UnifiedTimelineItem {
  const { event } = fact;
  return {
    position: event.globalPosition,
    occurredAt: new Date(event.metadata.occurredAt).toISOString(),
    workload: fact.workload,
    eventType: event.type,
    streamId: event.streamId,
    summary: sortedKeys(fact.summary ?? {}),
    parties: [...fact.parties].map(([sipUri, as]) => ({ sipUri, as })),
  };
}

/** Voice configuration and privacy events are not on the timeline: it holds what concerns users (audit-entry.ts). */
const TIMELINE_WORKLOADS: readonly Workload[] = WORKLOADS.filter((w) => w !== 'privacy');

/**
 * The same page as `unifiedTimeline`, folded from the log itself (offline
 * CLI, no read model needed). It reads from position 1 every time, because
 * the parties of a call come from its first events: fine for an
 * administrator's query, too slow for a hot path.
 */
export async function logTimeline(store: EventStore<DomainEvent>, query: UnifiedTimelineQuery): Promise<UnifiedTimelinePage> {
  const q = UnifiedTimelineQuerySchema.parse(query);
  const after = q.after ?? 0n;
  const items: UnifiedTimelineItem[] = [];
  for await (const fact of scanAuditLog(store, { workloads: q.workloads ?? TIMELINE_WORKLOADS })) {
    if (fact.event.globalPosition <= after || !matchesTimelineQuery(fact, q)) continue;
    items.push(timelineItem(fact));
    if (items.length === q.limit) break;
  }
  const last = items.at(-1);
  return { items, next: items.length === q.limit && last ? last.position : null };
}
