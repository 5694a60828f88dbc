import type { DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../../src/events/envelope.ts';
import { event, T0, type DataOf } from '../directory/domain-event-fixtures.ts';

/** A Redmond-style dial plan: 4-digit extensions, 9 + 10 digits, 9011 international. */
export function redmondPlan(type: 'voice.dial_plan_defined.v1' | 'voice.dial_plan_updated.v1' = 'voice.dial_plan_defined.v1') {
  return event(type, {
    name: 'Redmond',
    description: 'Redmond office',
    rules: [
      { pattern: '^(\\d{4})$', translation: '+1425555$1', description: 'extension' },
      { pattern: '^9(\\d{10})$', translation: '+1$1', description: 'outside line' },
      { pattern: '^9011(\\d{7,15})$', translation: '+$1', description: 'international' },
    ],
    at: T0,
  });
}

export function policy(name: string, pstnUsages: string[], overrides: Partial<DataOf<'voice.policy_defined.v1'>> = {}) {
  return event('voice.policy_defined.v1', {
    name,
    description: null,
    pstnUsages,
    features: { forwarding: true, simultaneousRing: true, delegation: false, teamCall: true, callPark: false },
    at: T0,
    ...overrides,
  });
}

export function route(
  name: string,
  priority: number,
  numberPattern: string,
  pstnUsages: string[],
  gateways: string[],
  type: 'voice.pstn_route_defined.v1' | 'voice.pstn_route_updated.v1' = 'voice.pstn_route_defined.v1',
): NewEvent<DomainEvent> {
  return event(type, { name, description: null, priority, numberPattern, pstnUsages, gateways, at: T0 });
}

export function gateway(name: string, address: string, transport: 'udp' | 'tcp' | 'tls' = 'tls'): NewEvent<DomainEvent> {
  return event('voice.gateway_defined.v1', { name, address, transport, at: T0 });
}

export function removed(
  type: 'voice.dial_plan_removed.v1' | 'voice.policy_removed.v1' | 'voice.pstn_route_removed.v1' | 'voice.gateway_removed.v1',
  name: string,
): NewEvent<DomainEvent> {
  return event(type, { name, at: T0 });
}

/** A whole Enterprise Voice configuration with users, as the call router would find it. */
export function voiceScenario(): NewEvent<DomainEvent>[] {
  return [
    redmondPlan(),
    policy('Standard', ['Local', 'Long Distance']),
    policy('LocalOnly', ['Local'], { features: { forwarding: false, simultaneousRing: false, delegation: false, teamCall: false, callPark: false } }),
    route('US-backup', 20, '^\\+1\\d{10}$', ['Long Distance'], ['gw-backup']),
    route('US', 10, '^\\+1\\d{10}$', ['Long Distance'], ['gw-1', 'gw-2']),
    route('Local-425', 5, '^\\+1425\\d{7}$', ['Local'], ['gw-local']),
    gateway('gw-1', 'gw1.example.test:5067'),
    gateway('gw-2', 'gw2.example.test:5067', 'tcp'),
    gateway('gw-local', '192.0.2.10:5060', 'udp'),
  ];
}
