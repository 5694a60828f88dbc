import type { UserEvent } from '../../../../src/commands/user/user-state.ts';
import { T0 } from '../spec.ts';

export const ALICE = 'sip:alice@example.test';
export const BOB = 'sip:bob@example.test';
export const ALICE_LINE = 'tel:+15551234567';

type Data<T extends UserEvent['type']> = Extract<UserEvent, { type: T }>['data'];

export function provisioned(overrides: Partial<Data<'directory.user_provisioned.v1'>> = {}): UserEvent {
  return {
    type: 'directory.user_provisioned.v1',
    data: {
      sipUri: ALICE,
      displayName: 'Alice Example',
      lineUri: ALICE_LINE,
      enterpriseVoiceEnabled: true,
      dialPlan: 'Redmond',
      voicePolicy: 'Standard',
      maxEndpoints: 8,
      at: T0,
      ...overrides,
    },
  };
}

/** Endpoint `ep-<n>` with contact `sip:alice@10.0.0.<n>:5060`, registered at T0. */
export function registered(n: number, overrides: Partial<Data<'endpoint.registered.v1'>> = {}): UserEvent {
  return {
    type: 'endpoint.registered.v1',
    data: {
      sipUri: ALICE,
      endpointId: `ep-${n}`,
      contact: contactOf(n),
      instanceId: null,
      transport: 'tls',
      sourceAddress: `192.0.2.${n}:5061`,
      userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
      expiresAt: '2024-05-01T10:00:00.000Z',
      at: T0,
      ...overrides,
    },
  };
}

export function contactOf(n: number): string {
  return `sip:alice@10.0.0.${n}:5060;transport=tls`;
}

export function published(endpoint: number, overrides: Partial<Data<'presence.published.v1'>> = {}): UserEvent {
  return {
    type: 'presence.published.v1',
    data: {
      sipUri: ALICE,
      endpointId: `ep-${endpoint}`,
      availability: 'available',
      code: 3500,
      activity: null,
      note: null,
      etag: `etag-${endpoint}`,
      expiresAt: '2024-05-01T10:00:00.000Z',
      at: T0,
      ...overrides,
    },
  };
}
