import type { Availability } from '../../events/domain/availability.ts';
import { aggregatePresence, presenceValidThrough } from '../presence/aggregate-presence.ts';
import type { PresenceInputs } from '../presence/presence-inputs.ts';

export interface AvailabilityChange {
  readonly at: string;
  readonly availability: Availability;
}

const afterInstant = (iso: string): string => new Date(Date.parse(iso) + 1).toISOString();

/**
 * The aggregate's changes that unchanged inputs make on their own between
 * `from` and `until` (exclusive): a binding, publication or user-set state is
 * live through its expiry instant, so what it held changes one millisecond
 * later. Only real changes of availability are listed, in order.
 */
export function lapsesBetween(inputs: PresenceInputs, availability: Availability, from: string, until: string): AvailabilityChange[] {
  const changes: AvailabilityChange[] = [];
  let current = availability;
  let cursor = from;
  for (let through = presenceValidThrough(inputs, cursor); through !== null && Date.parse(through) + 1 < Date.parse(until); ) {
    cursor = afterInstant(through);
    const next = aggregatePresence(inputs, cursor).availability;
    if (next !== current) changes.push({ at: cursor, availability: next });
    current = next;
    through = presenceValidThrough(inputs, cursor);
  }
  return changes;
}
