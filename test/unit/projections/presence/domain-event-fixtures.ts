import { v7 as uuidv7 } from 'uuid';
import type { Availability } from '../../../../src/events/domain/availability.ts';
import { AVAILABILITY_CODES } from '../../../../src/events/domain/availability.ts';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent, RecordedEvent } from '../../../../src/events/envelope.ts';
import type { EventStore } from '../../../../src/events/event-store.ts';

/**
 * Domain events for the presence and location specs. Every builder validates
 * its event against `domainCatalogue`, so a spec can only use events the store
 * would accept.
 */

export const T0 = '2026-01-05T09:00:00.000Z';

/** T0 plus `seconds`, as the deciders spell instants. */
export function t(seconds: number): string {
  return new Date(Date.parse(T0) + seconds * 1000).toISOString();
}

type EventOf<T extends DomainEvent['type']> = Extract<DomainEvent, { readonly type: T }>;

function event<T extends DomainEvent['type']>(type: T, data: EventOf<T>['data']): EventOf<T> {
  return domainCatalogue.encode(type, data) as EventOf<T>;
}

export const ALICE = 'sip:alice@example.test';
export const BOB = 'sip:bob@example.test';
export const CAROL = 'sip:carol@example.test';
export const DAVE = 'sip:dave@example.test';

interface BindingOptions {
  readonly at?: string;
  readonly expiresAt?: string;
  readonly contact?: string;
  readonly instanceId?: string | null;
  readonly userAgent?: string | null;
  readonly sourceAddress?: string;
}

export function registered(sipUri: string, endpointId: string, o: BindingOptions = {}) {
  const at = o.at ?? T0;
  return event('endpoint.registered.v1', {
    sipUri,
    endpointId,
    contact: o.contact ?? `sip:${endpointId}@198.51.100.7:5060;transport=tcp`,
    transport: 'tcp',
    sourceAddress: o.sourceAddress ?? '198.51.100.7:5060',
    userAgent: o.userAgent === undefined ? 'Chorus-Test/1.0' : o.userAgent,
    expiresAt: o.expiresAt ?? t(3600),
    at,
    instanceId: o.instanceId === undefined ? null : o.instanceId,
  });
}

export function refreshed(sipUri: string, endpointId: string, o: BindingOptions = {}) {
  return event('endpoint.refreshed.v1', {
    sipUri,
    endpointId,
    contact: o.contact ?? `sip:${endpointId}@198.51.100.7:5060;transport=tcp`,
    transport: 'tcp',
    sourceAddress: o.sourceAddress ?? '198.51.100.7:5060',
    userAgent: o.userAgent === undefined ? 'Chorus-Test/1.0' : o.userAgent,
    expiresAt: o.expiresAt ?? t(7200),
    at: o.at ?? t(1800),
  });
}

export function unregistered(sipUri: string, endpointId: string, at = t(60)) {
  return event('endpoint.unregistered.v1', { sipUri, endpointId, contact: `sip:${endpointId}@198.51.100.7:5060;transport=tcp`, at });
}

export function endpointExpired(sipUri: string, endpointId: string, expiredAt: string, at: string) {
  return event('endpoint.expired.v1', { sipUri, endpointId, contact: `sip:${endpointId}@198.51.100.7:5060;transport=tcp`, expiredAt, at });
}

interface PublishOptions {
  readonly at?: string;
  readonly expiresAt?: string;
  readonly code?: number;
  readonly activity?: string | null;
  readonly note?: string | null;
  readonly etag?: string;
}

export function published(sipUri: string, endpointId: string, availability: Availability, o: PublishOptions = {}) {
  return event('presence.published.v1', {
    sipUri,
    endpointId,
    availability,
    code: o.code ?? AVAILABILITY_CODES[availability],
    activity: o.activity ?? null,
    note: o.note ?? null,
    etag: o.etag ?? `etag-${endpointId}`,
    expiresAt: o.expiresAt ?? t(3600),
    at: o.at ?? T0,
  });
}

export function withdrawn(sipUri: string, endpointId: string, at = t(60)) {
  return event('presence.withdrawn.v1', { sipUri, endpointId, etag: `etag-${endpointId}`, reason: 'unpublished', at });
}

export function publicationExpired(sipUri: string, endpointId: string, expiredAt: string, at: string) {
  return event('presence.expired.v1', { sipUri, endpointId, etag: `etag-${endpointId}`, expiredAt, at });
}

export function userStateSet(sipUri: string, availability: Availability, o: { until?: string | null; note?: string | null; at?: string } = {}) {
  return event('presence.user_state_set.v1', {
    sipUri,
    availability,
    code: AVAILABILITY_CODES[availability],
    note: o.note ?? null,
    until: o.until ?? null,
    at: o.at ?? T0,
  });
}

export function userStateCleared(sipUri: string, at = t(60)) {
  return event('presence.user_state_cleared.v1', { sipUri, reason: 'cleared', at });
}

export function watcherSubscribed(sipUri: string, watcherUri: string, subscriptionId: string, o: { expiresAt?: string; at?: string } = {}) {
  return event('presence.watcher_subscribed.v1', { sipUri, watcherUri, subscriptionId, expiresAt: o.expiresAt ?? t(3600), at: o.at ?? T0 });
}

export function watcherUnsubscribed(sipUri: string, watcherUri: string, subscriptionId: string, at = t(60)) {
  return event('presence.watcher_unsubscribed.v1', { sipUri, watcherUri, subscriptionId, reason: 'unsubscribed', at });
}

export function blocksSet(sipUri: string, blocked: string[], at = t(60)) {
  return event('presence.blocks_set.v1', { sipUri, blocked, at });
}

export function deprovisioned(sipUri: string, at = t(600)) {
  return event('directory.user_deprovisioned.v1', { sipUri, reason: null, at });
}

export function callInitiated(sipCallId: string, caller: string, at = T0) {
  return event('call.initiated.v1', { sipCallId, caller, dialledString: 'bob', normalizedNumber: null, at });
}

export function routedToUser(sipCallId: string, target: string, at = T0) {
  return event('call.routed.v1', { sipCallId, route: { kind: 'user', target, contacts: [`sip:${target.slice(4)};transport=tcp`] }, at });
}

export function routedToPstn(sipCallId: string, at = T0) {
  return event('call.routed.v1', {
    sipCallId,
    route: {
      kind: 'pstn',
      number: '+14255550100',
      routeName: 'Local',
      gateway: 'gw1',
      gateways: ['gw1'],
      voicePolicy: 'Default',
      pstnUsage: 'Local',
    },
    at,
  });
}

export function callRinging(sipCallId: string, at = T0) {
  return event('call.ringing.v1', { sipCallId, contact: null, at });
}

export function callAnswered(sipCallId: string, at = t(5)) {
  return event('call.answered.v1', { sipCallId, contact: 'sip:phone@198.51.100.9:5060', at });
}

export function callForwarded(sipCallId: string, from: string, to: string, at = t(3)) {
  return event('call.forwarded.v1', { sipCallId, reason: 'no_answer', from, to, at });
}

export function callTransferred(sipCallId: string, by: string, to: string, at = t(30)) {
  return event('call.transferred.v1', { sipCallId, by, to, at });
}

export function callHeld(sipCallId: string, by: string, at = t(20)) {
  return event('call.held.v1', { sipCallId, by, at });
}

export function callResumed(sipCallId: string, by: string, at = t(25)) {
  return event('call.resumed.v1', { sipCallId, by, at });
}

export function callParked(sipCallId: string, by: string, at = t(30)) {
  return event('call.parked.v1', { sipCallId, orbit: '701', by, at });
}

export function callRetrieved(sipCallId: string, by: string, at = t(40)) {
  return event('call.retrieved.v1', { sipCallId, orbit: '701', by, at });
}

export function callEnded(sipCallId: string, at = t(60)) {
  return event('call.ended.v1', { sipCallId, cause: 'completed', sipStatus: null, durationSeconds: 55, at });
}

/** The stream the domain writes an event to: a call's own stream, else the user's. */
export function streamOf(e: DomainEvent): string {
  if (e.type.startsWith('call.')) return `call-${(e.data as { sipCallId: string }).sipCallId}`;
  return `user-${(e.data as { sipUri: string }).sipUri.slice('sip:'.length)}`;
}

/** Ready to append. */
export function toNew(e: DomainEvent): NewEvent<DomainEvent> {
  const occurredAt = (e.data as { at: string }).at;
  return {
    ...e,
    id: uuidv7(),
    metadata: { occurredAt, correlationId: 'test', causationId: null, actor: 'test', node: 'test-node' },
  } as NewEvent<DomainEvent>;
}

/** As the log would deliver them, positions 1, 2, … (for view specs that call `apply` directly). */
export function recorded<E extends DomainEvent>(events: readonly E[]): RecordedEvent<E>[] {
  const versions = new Map<string, number>();
  return events.map((e, i) => {
    const streamId = streamOf(e);
    const streamVersion = versions.get(streamId) ?? 0;
    versions.set(streamId, streamVersion + 1);
    const occurredAt = (e.data as { at: string }).at;
    return {
      ...e,
      id: uuidv7(),
      streamId,
      streamVersion,
      globalPosition: BigInt(i + 1),
      metadata: { occurredAt, recordedAt: occurredAt, correlationId: 'test', causationId: null, actor: 'test', node: 'test-node' },
    } as RecordedEvent<E>;
  });
}

/** Appends each event to its domain stream (one append each, as separate commands would); returns the last position. */
export async function appendAll(store: EventStore<DomainEvent>, events: readonly DomainEvent[]): Promise<bigint> {
  let last = 0n;
  for (const e of events) last = (await store.append(streamOf(e), [toNew(e)], { expectedVersion: 'any' })).positions.at(-1)!;
  return last;
}
