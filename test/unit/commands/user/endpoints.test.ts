import { describe, it } from 'node:test';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import type { UserCommand } from '../../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import type { UserEvent } from '../../../../src/commands/user/user-state.ts';
import { specFor, T0 } from '../spec.ts';
import { ALICE, contactOf, provisioned, published, registered } from './user-fixtures.ts';

const { given } = specFor(userDecider);

const NOW = '2024-05-01T09:30:00.000Z';
const IN_AN_HOUR = '2024-05-01T10:30:00.000Z';

function register(n: number, extra: Partial<Extract<UserCommand, { type: 'RegisterEndpoint' }>['data']> = {}): UserCommand {
  return {
    type: 'RegisterEndpoint',
    data: {
      contact: contactOf(n),
      transport: 'tls',
      sourceAddress: `192.0.2.${n}:5061`,
      userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
      expiresSeconds: 3600,
      ...extra,
    },
  };
}

const eightEndpoints = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => registered(n));

describe('user endpoints', () => {
  describe('RegisterEndpoint', () => {
    it('registers a new binding with a minted endpoint id and an expiry from now', () => {
      given([provisioned()])
        .at(NOW)
        .when(register(1, { instanceId: '<urn:uuid:00000000-0000-0000-0000-000000000001>' }))
        .then([
          {
            type: 'endpoint.registered.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'id-1',
              contact: contactOf(1),
              instanceId: '<urn:uuid:00000000-0000-0000-0000-000000000001>',
              transport: 'tls',
              sourceAddress: '192.0.2.1:5061',
              userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
              expiresAt: IN_AN_HOUR,
              at: NOW,
            },
          },
        ]);
    });

    it('treats a re-REGISTER of the same contact as a refresh of the same endpoint', () => {
      given([provisioned(), registered(1)])
        .at(NOW)
        .when(register(1, { sourceAddress: '198.51.100.7:40000' }))
        .then([
          {
            type: 'endpoint.refreshed.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'ep-1',
              contact: contactOf(1),
              transport: 'tls',
              sourceAddress: '198.51.100.7:40000',
              userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
              expiresAt: IN_AN_HOUR,
              at: NOW,
            },
          },
        ]);
    });

    it('matches by +sip.instance when the device comes back with a new contact', () => {
      const instanceId = '<urn:uuid:00000000-0000-0000-0000-0000000000aa>';
      const decided = given([provisioned(), registered(1, { instanceId })])
        .at(NOW)
        .when(register(9, { instanceId }));
      decided.then([
        {
          type: 'endpoint.refreshed.v1',
          data: {
            sipUri: ALICE,
            endpointId: 'ep-1',
            contact: contactOf(9),
            transport: 'tls',
            sourceAddress: '192.0.2.9:5061',
            userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
            expiresAt: IN_AN_HOUR,
            at: NOW,
          },
        },
      ]);
    });

    it('refuses a ninth live endpoint under the default limit of eight', () => {
      given([provisioned(), ...eightEndpoints]).at(NOW).when(register(9)).thenThrows(DomainError, /^endpoint_limit: .*8 live endpoints \(limit 8\)/);
    });

    it('honours a per-user limit', () => {
      given([provisioned({ maxEndpoints: 2 }), registered(1), registered(2)])
        .at(NOW)
        .when(register(3))
        .thenThrows(DomainError, /^endpoint_limit:/);
    });

    it('still refreshes an existing endpoint when the user is at the limit', () => {
      given([provisioned(), ...eightEndpoints])
        .at(NOW)
        .when(register(8))
        .then([
          {
            type: 'endpoint.refreshed.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'ep-8',
              contact: contactOf(8),
              transport: 'tls',
              sourceAddress: '192.0.2.8:5061',
              userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
              expiresAt: IN_AN_HOUR,
              at: NOW,
            },
          },
        ]);
    });

    it('expires a lapsed endpoint (and its presence) in the same decision, freeing its slot', () => {
      const lapsed = registered(3, { expiresAt: '2024-05-01T09:29:59.999Z' });
      const history = [provisioned(), ...eightEndpoints.filter((_, i) => i !== 2), lapsed, published(3)];
      given(history)
        .at(NOW)
        .when(register(9))
        .then([
          {
            type: 'endpoint.expired.v1',
            data: { sipUri: ALICE, endpointId: 'ep-3', contact: contactOf(3), expiredAt: '2024-05-01T09:29:59.999Z', at: NOW },
          },
          {
            type: 'presence.withdrawn.v1',
            data: { sipUri: ALICE, endpointId: 'ep-3', etag: 'etag-3', reason: 'endpoint_expired', at: NOW },
          },
          {
            type: 'endpoint.registered.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'id-1',
              contact: contactOf(9),
              instanceId: null,
              transport: 'tls',
              sourceAddress: '192.0.2.9:5061',
              userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
              expiresAt: IN_AN_HOUR,
              at: NOW,
            },
          },
        ]);
    });

    it('counts an endpoint as live up to and including its expiry instant', () => {
      const atTheEdge = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => registered(n, { expiresAt: NOW }));
      given([provisioned(), ...atTheEdge]).at(NOW).when(register(9)).thenThrows(DomainError, /^endpoint_limit:/);
    });

    it('registers a lapsed contact again as a new endpoint, not a refresh', () => {
      given([provisioned(), registered(1, { expiresAt: '2024-05-01T09:00:30.000Z' })])
        .at(NOW)
        .when(register(1, { userAgent: undefined }))
        .then([
          {
            type: 'endpoint.expired.v1',
            data: { sipUri: ALICE, endpointId: 'ep-1', contact: contactOf(1), expiredAt: '2024-05-01T09:00:30.000Z', at: NOW },
          },
          {
            type: 'endpoint.registered.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'id-1',
              contact: contactOf(1),
              instanceId: null,
              transport: 'tls',
              sourceAddress: '192.0.2.1:5061',
              userAgent: null,
              expiresAt: IN_AN_HOUR,
              at: NOW,
            },
          },
        ]);
    });
  });

  describe('UnregisterEndpoint', () => {
    it('removes the binding and withdraws the presence it published', () => {
      given([provisioned(), registered(1), registered(2), published(1)])
        .at(NOW)
        .when({ type: 'UnregisterEndpoint', data: { contact: contactOf(1) } })
        .then([
          { type: 'endpoint.unregistered.v1', data: { sipUri: ALICE, endpointId: 'ep-1', contact: contactOf(1), at: NOW } },
          {
            type: 'presence.withdrawn.v1',
            data: { sipUri: ALICE, endpointId: 'ep-1', etag: 'etag-1', reason: 'endpoint_unregistered', at: NOW },
          },
        ]);
    });

    it('removes every binding for Contact: *', () => {
      given([provisioned(), registered(1), registered(2)])
        .at(NOW)
        .when({ type: 'UnregisterEndpoint', data: { contact: '*' } })
        .then([
          { type: 'endpoint.unregistered.v1', data: { sipUri: ALICE, endpointId: 'ep-1', contact: contactOf(1), at: NOW } },
          { type: 'endpoint.unregistered.v1', data: { sipUri: ALICE, endpointId: 'ep-2', contact: contactOf(2), at: NOW } },
        ]);
    });

    it('is idempotent: an unknown contact writes nothing', () => {
      given([provisioned(), registered(1)])
        .when({ type: 'UnregisterEndpoint', data: { contact: contactOf(7) } })
        .then([]);
    });

    it('frees the slot: after unregistering, a ninth device may register', () => {
      const unregistered: UserEvent = {
        type: 'endpoint.unregistered.v1',
        data: { sipUri: ALICE, endpointId: 'ep-4', contact: contactOf(4), at: T0 },
      };
      given([provisioned(), ...eightEndpoints, unregistered])
        .at(NOW)
        .when(register(9))
        .then([
          {
            type: 'endpoint.registered.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'id-1',
              contact: contactOf(9),
              instanceId: null,
              transport: 'tls',
              sourceAddress: '192.0.2.9:5061',
              userAgent: 'UCCAPI/3.5.6907.0 OC/3.5.6907.0',
              expiresAt: IN_AN_HOUR,
              at: NOW,
            },
          },
        ]);
    });
  });
});
