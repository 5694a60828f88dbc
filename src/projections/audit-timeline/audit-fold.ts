import { z } from 'zod';
import { SipUriSchema } from '../../events/domain/primitives.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { auditEntry, concernedUsers, type AuditContext, type AuditSummary } from './audit-entry.ts';
import { isAuditedEvent } from './audited-types.ts';
import { workloadOf, type Workload } from './workload.ts';

/** What the audit trail says about one event of the log, whatever its type. */
export interface AuditFact {
  readonly event: RecordedEvent<DomainEvent>;
  readonly workload: Workload;
  /** The audit summary (never secrets or IM bodies); null for voice configuration, which concerns no user. */
  readonly summary: AuditSummary | null;
  /** Each concerned user with their roles, in the order the audit timeline gives them; empty when none. An unaudited event names at most the user of its `sipUri`. */
  readonly parties: ReadonlyMap<string, readonly string[]>;
}

const SubjectSchema = z.object({ sipUri: SipUriSchema });

/**
 * An event the audit timeline does not cover (voice configuration, privacy)
 * still concerns the user its data names, if any: a legal hold on alice
 * belongs in alice's export.
 */
function subjectOf(data: unknown): Map<string, readonly string[]> {
  const subject = SubjectSchema.safeParse(data);
  return subject.success ? new Map([[subject.data.sipUri, ['user']]]) : new Map();
}

const contextKey = (kind: AuditContext['kind'], id: string): string => `${kind}\u0000${id}`;

/**
 * The audit timeline's fold (src/projections/audit-timeline), in memory and
 * event by event: the same entries and the same remembered parties of calls,
 * conferences and IM sessions as the projection keeps in `audit_parties`, so
 * an export or an offline timeline read straight from the log names exactly
 * the users the read model does. Feed it every event of the areas it should
 * know about, in log order, from position 1; contexts are dropped when they
 * close, so memory holds only the calls and sessions still open.
 */
export class AuditFold {
  readonly #contexts = new Map<string, Map<string, string>>();

  apply(event: RecordedEvent<DomainEvent>): AuditFact {
    const workload = workloadOf(event.type);
    if (!isAuditedEvent(event)) return { event, workload, summary: null, parties: subjectOf(event.data) };
    const entry = auditEntry(event);
    const context = entry.context;
    const key = context ? contextKey(context.kind, context.id) : null;
    const stored = key === null ? undefined : this.#contexts.get(key);
    // Sorted like the projection's read of audit_parties, so roles come out in the same order.
    const remembered = context?.includeParties && stored ? [...stored].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
    const parties = concernedUsers(entry, remembered);
    if (context && key !== null) {
      if (context.closes) this.#contexts.delete(key);
      else {
        const kept = stored ?? new Map<string, string>();
        for (const [uri, role] of context.remember) if (uri.startsWith('sip:') && !kept.has(uri)) kept.set(uri, role);
        if (kept.size > 0) this.#contexts.set(key, kept);
      }
    }
    return { event, workload, summary: entry.summary, parties };
  }

  /** Calls, conferences and IM sessions whose parties are remembered (they have not ended). */
  get openContexts(): number {
    return this.#contexts.size;
  }
}
