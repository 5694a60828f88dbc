import { v7 as uuidv7 } from 'uuid';
import { userStreamId, voiceConfigStreamId, type VoiceConfigKind } from '../../../../src/commands/stream-ids.ts';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../../src/events/envelope.ts';
import type { EventStore } from '../../../../src/events/event-store.ts';

/**
 * Domain events for the directory and routing projection tests. Every event
 * is checked against `domainCatalogue` when built, so a fixture the store
 * would reject fails here, not as a confusing projection failure.
 */

export const T0 = '2024-05-01T09:00:00.000Z';
export const ALICE = 'sip:alice@example.test';
export const BOB = 'sip:bob@example.test';
export const CAROL = 'sip:carol@example.test';

export type DataOf<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>['data'];

export function event<T extends DomainEvent['type']>(type: T, data: DataOf<T>): NewEvent<DomainEvent> {
  domainCatalogue.encode(type, data);
  const at = (data as { at?: string }).at ?? T0;
  return {
    id: uuidv7(),
    type,
    data,
    metadata: { occurredAt: at, correlationId: 'projection-test', causationId: null, actor: 'test', node: 'test-node' },
  } as NewEvent<DomainEvent>;
}

export function provisioned(sipUri: string, overrides: Partial<DataOf<'directory.user_provisioned.v1'>> = {}): NewEvent<DomainEvent> {
  return event('directory.user_provisioned.v1', {
    sipUri,
    displayName: `User ${sipUri.slice(4, sipUri.indexOf('@'))}`,
    lineUri: null,
    enterpriseVoiceEnabled: false,
    dialPlan: null,
    voicePolicy: null,
    maxEndpoints: 8,
    at: T0,
    ...overrides,
  });
}

export function updated(sipUri: string, profile: Omit<DataOf<'directory.user_updated.v1'>, 'sipUri'>): NewEvent<DomainEvent> {
  return event('directory.user_updated.v1', { sipUri, ...profile });
}

export function deprovisioned(sipUri: string, at = T0): NewEvent<DomainEvent> {
  return event('directory.user_deprovisioned.v1', { sipUri, reason: 'left the company', at });
}

/** Fixed, well-formed HA1 values derived from a seed character (not real digests: projections only copy them). */
export function credentialsSet(sipUri: string, seed: string, realm = 'example.test', at = T0): NewEvent<DomainEvent> {
  return event('directory.credentials_set.v1', { sipUri, realm, ha1Md5: seed.repeat(32), ha1Sha256: seed.repeat(64), at });
}

/** The stream an event belongs to, as the command handler would choose it. */
export function streamOf(e: NewEvent<DomainEvent>): string {
  const data = e.data as { sipUri?: string; name?: string };
  if (data.sipUri !== undefined) return userStreamId(data.sipUri);
  const kind: VoiceConfigKind | null = e.type.startsWith('voice.dial_plan')
    ? 'dialplan'
    : e.type.startsWith('voice.policy')
      ? 'voicepolicy'
      : e.type.startsWith('voice.pstn_route')
        ? 'pstnroute'
        : e.type.startsWith('voice.gateway')
          ? 'gateway'
          : null;
  if (kind === null || data.name === undefined) throw new Error(`no stream for ${e.type}`);
  return voiceConfigStreamId(kind, data.name);
}

/** Appends one event at a time, each on its own stream; returns the last position. */
export async function appendAll(store: EventStore<DomainEvent>, events: readonly NewEvent<DomainEvent>[]): Promise<bigint> {
  let last = 0n;
  for (const e of events) last = (await store.append(streamOf(e), [e], { expectedVersion: 'any' })).positions.at(-1)!;
  return last;
}
