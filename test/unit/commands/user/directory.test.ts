import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeHa1 } from '../../../../src/commands/directory/compute-ha1.ts';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import { specFor, T0 } from '../spec.ts';
import { ALICE, ALICE_LINE, provisioned, registered } from './user-fixtures.ts';

const { given } = specFor(userDecider);

describe('user directory', () => {
  describe('ProvisionUser', () => {
    it('provisions a new user with defaults for what the command leaves out', () => {
      given([])
        .when({ type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice Example' } })
        .then([
          {
            type: 'directory.user_provisioned.v1',
            data: {
              sipUri: ALICE,
              displayName: 'Alice Example',
              lineUri: null,
              enterpriseVoiceEnabled: false,
              dialPlan: null,
              voicePolicy: null,
              maxEndpoints: 8,
              at: T0,
            },
          },
        ]);
    });

    it('provisions an Enterprise Voice user with a line URI, dial plan and policy', () => {
      given([])
        .when({
          type: 'ProvisionUser',
          data: {
            sipUri: ALICE,
            displayName: 'Alice Example',
            lineUri: ALICE_LINE,
            enterpriseVoiceEnabled: true,
            dialPlan: 'Redmond',
            voicePolicy: 'Standard',
            maxEndpoints: 8,
          },
        })
        .then([provisioned()]);
    });

    it('refuses Enterprise Voice without a line URI', () => {
      given([])
        .when({ type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'A', enterpriseVoiceEnabled: true } })
        .thenThrows(DomainError, /^line_uri_required:/);
    });

    it('refuses to provision twice', () => {
      given([provisioned()])
        .when({ type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Again' } })
        .thenThrows(DomainError, /^already_provisioned:/);
    });
  });

  describe('commands before provisioning', () => {
    it('refuses every other command on a user that does not exist', () => {
      given([]).when({ type: 'SetCredentials', data: { realm: 'r', ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64) } })
        .thenThrows(DomainError, /^not_provisioned:/);
      given([])
        .when({
          type: 'RegisterEndpoint',
          data: { contact: 'sip:alice@10.0.0.1', transport: 'udp', sourceAddress: '192.0.2.1:5060', expiresSeconds: 3600 },
        })
        .thenThrows(DomainError, /^not_provisioned:/);
    });
  });

  describe('UpdateUser', () => {
    it('writes the whole profile after the change', () => {
      given([provisioned()])
        .at('2024-05-01T09:30:00.000Z')
        .when({ type: 'UpdateUser', data: { displayName: 'Alice B. Example', maxEndpoints: 4, dialPlan: null } })
        .then([
          {
            type: 'directory.user_updated.v1',
            data: {
              sipUri: ALICE,
              displayName: 'Alice B. Example',
              lineUri: ALICE_LINE,
              enterpriseVoiceEnabled: true,
              dialPlan: null,
              voicePolicy: 'Standard',
              maxEndpoints: 4,
              at: '2024-05-01T09:30:00.000Z',
            },
          },
        ]);
    });

    it('writes nothing when nothing changes', () => {
      given([provisioned()]).when({ type: 'UpdateUser', data: { displayName: 'Alice Example' } }).then([]);
    });

    it('refuses to clear the line URI of an Enterprise Voice user', () => {
      given([provisioned()])
        .when({ type: 'UpdateUser', data: { lineUri: null } })
        .thenThrows(DomainError, /^line_uri_required:/);
    });
  });

  describe('DeprovisionUser', () => {
    it('deprovisions with a reason', () => {
      given([provisioned()])
        .when({ type: 'DeprovisionUser', data: { reason: 'left the company' } })
        .then([{ type: 'directory.user_deprovisioned.v1', data: { sipUri: ALICE, reason: 'left the company', at: T0 } }]);
    });

    const gone = [provisioned(), registered(1), { type: 'directory.user_deprovisioned.v1', data: { sipUri: ALICE, reason: null, at: T0 } }] as const;

    it('a deprovisioned user refuses registration, presence, features and re-provisioning', () => {
      const refused = [
        { type: 'RegisterEndpoint', data: { contact: 'sip:alice@10.0.0.9', transport: 'udp', sourceAddress: '192.0.2.9:5060', expiresSeconds: 60 } },
        { type: 'PublishPresence', data: { endpointId: 'ep-1', state: { availability: 'busy' }, expiresSeconds: 60 } },
        { type: 'SetUserState', data: { availability: 'away' } },
        { type: 'SetForwarding', data: { immediate: 'sip:bob@example.test' } },
        { type: 'UpdateUser', data: { displayName: 'Zombie' } },
        { type: 'DeprovisionUser', data: {} },
        { type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice again' } },
        { type: 'SweepExpired', data: {} },
      ] as const;
      for (const command of refused) given([...gone]).when(command).thenThrows(DomainError, /^deprovisioned:/);
    });
  });

  describe('SetCredentials', () => {
    const ha1 = computeHa1('alice', 'example.test', 's3cret');

    it('stores the HA1 pair for the realm', () => {
      given([provisioned()])
        .when({ type: 'SetCredentials', data: { realm: 'example.test', ...ha1 } })
        .then([{ type: 'directory.credentials_set.v1', data: { sipUri: ALICE, realm: 'example.test', ...ha1, at: T0 } }]);
    });

    it('writes nothing when the same credentials are set again', () => {
      given([provisioned(), { type: 'directory.credentials_set.v1', data: { sipUri: ALICE, realm: 'example.test', ...ha1, at: T0 } }])
        .when({ type: 'SetCredentials', data: { realm: 'example.test', ...ha1 } })
        .then([]);
    });
  });
});

describe('computeHa1', () => {
  it('matches the RFC 2617 example for MD5', () => {
    assert.equal(computeHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life').ha1Md5, '939e7578ed9e3c518a452acee763bce9');
  });

  it('hashes user:realm:password with SHA-256 too (checked against coreutils sha256sum)', () => {
    assert.deepEqual(computeHa1('alice', 'example.test', 's3cret'), {
      ha1Md5: 'd815d6ca18261dac9caedec28c6dc58a',
      ha1Sha256: 'ad681484adb266c0aae2d2283e74f96e032f99b2642896690c964606529465ef',
    });
  });
});
