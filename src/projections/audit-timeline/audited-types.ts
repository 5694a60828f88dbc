import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { callEvents } from '../../events/domain/call-events.ts';
import { conferenceEvents } from '../../events/domain/conference-events.ts';
import { directoryEvents } from '../../events/domain/directory-events.ts';
import { endpointEvents } from '../../events/domain/endpoint-events.ts';
import { imEvents } from '../../events/domain/im-events.ts';
import { presenceEvents } from '../../events/domain/presence-events.ts';
import { privacyEvents } from '../../events/domain/privacy-events.ts';
import { userVoiceEvents } from '../../events/domain/user-voice-events.ts';
import type { AuditedEvent, AuditedEventType } from './audit-entry.ts';

/** Every event type of the aggregates that belong to users, calls, conferences and IM (not voice configuration). */
export const AUDITED_TYPES = Object.keys({
  ...directoryEvents,
  ...endpointEvents,
  ...presenceEvents,
  ...userVoiceEvents,
  ...imEvents,
  ...conferenceEvents,
  ...callEvents,
  ...privacyEvents,
}) as AuditedEventType[];

const AUDITED = new Set<string>(AUDITED_TYPES);

export function isAuditedEvent<T extends { readonly type: DomainEvent['type'] }>(event: T): event is Extract<T, AuditedEvent> {
  return AUDITED.has(event.type);
}
