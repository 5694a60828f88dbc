import { describe, it } from 'node:test';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import type { UserEvent } from '../../../../src/commands/user/user-state.ts';
import { specFor, T0 } from '../spec.ts';
import { ALICE, BOB, contactOf, provisioned, published, registered } from './user-fixtures.ts';

const { given } = specFor(userDecider);

const NOW = '2024-05-01T09:30:00.000Z';
const LATER = '2024-05-01T09:40:00.000Z';
const SUB = 'a84b4c76e66710@pc33.example.test;from-tag=1928301774;to-tag=314159';

function watcher(expiresAt: string): UserEvent {
  return { type: 'presence.watcher_subscribed.v1', data: { sipUri: ALICE, watcherUri: BOB, subscriptionId: SUB, expiresAt, at: T0 } };
}

describe('user presence', () => {
  describe('PublishPresence', () => {
    it('publishes a state by name with its canonical ladder code and a new entity tag', () => {
      given([provisioned(), registered(1)])
        .at(NOW)
        .when({
          type: 'PublishPresence',
          data: { endpointId: 'ep-1', state: { availability: 'busy', activity: 'in-a-meeting', note: 'Design review' }, expiresSeconds: 600 },
        })
        .then([
          {
            type: 'presence.published.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'ep-1',
              availability: 'busy',
              code: 6500,
              activity: 'in-a-meeting',
              note: 'Design review',
              etag: 'id-1',
              expiresAt: LATER,
              at: NOW,
            },
          },
        ]);
    });

    it('keeps an OCS ladder code as sent and derives its state (4800: idle → away)', () => {
      given([provisioned(), registered(1)])
        .at(NOW)
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-1', state: { availability: 4800 }, expiresSeconds: 600 } })
        .then([
          {
            type: 'presence.published.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'ep-1',
              availability: 'away',
              code: 4800,
              activity: null,
              note: null,
              etag: 'id-1',
              expiresAt: LATER,
              at: NOW,
            },
          },
        ]);
    });

    it('refreshes a publication named by SIP-If-Match without a body: same state, new etag and expiry', () => {
      given([provisioned(), registered(1), published(1, { availability: 'do_not_disturb', code: 9500, note: 'Focus' })])
        .at(NOW)
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-1', ifMatch: 'etag-1', expiresSeconds: 600 } })
        .then([
          {
            type: 'presence.published.v1',
            data: {
              sipUri: ALICE,
              endpointId: 'ep-1',
              availability: 'do_not_disturb',
              code: 9500,
              activity: null,
              note: 'Focus',
              etag: 'id-1',
              expiresAt: LATER,
              at: NOW,
            },
          },
        ]);
    });

    it('refuses a stale entity tag (SIP 412)', () => {
      given([provisioned(), registered(1), published(1)])
        .at(NOW)
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-1', ifMatch: 'etag-old', expiresSeconds: 600 } })
        .thenThrows(DomainError, /^etag_mismatch:/);
    });

    it('refuses to refresh a publication that has already lapsed', () => {
      given([provisioned(), registered(1), published(1, { expiresAt: '2024-05-01T09:10:00.000Z' })])
        .at(NOW)
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-1', ifMatch: 'etag-1', expiresSeconds: 600 } })
        .thenThrows(DomainError, /^etag_mismatch:/);
    });

    it('refuses a PUBLISH with neither a body nor SIP-If-Match', () => {
      given([provisioned(), registered(1)])
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-1', expiresSeconds: 600 } })
        .thenThrows(DomainError, /^invalid_publication:/);
    });

    it('refuses a publication for an endpoint that is not registered, or has lapsed', () => {
      given([provisioned(), registered(1)])
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-2', state: { availability: 'away' }, expiresSeconds: 60 } })
        .thenThrows(DomainError, /^endpoint_not_registered:/);
      given([provisioned(), registered(1, { expiresAt: '2024-05-01T09:20:00.000Z' })])
        .at(NOW)
        .when({ type: 'PublishPresence', data: { endpointId: 'ep-1', state: { availability: 'away' }, expiresSeconds: 60 } })
        .thenThrows(DomainError, /^endpoint_not_registered:/);
    });
  });

  describe('WithdrawPresence', () => {
    it('withdraws the live publication', () => {
      given([provisioned(), registered(1), published(1)])
        .at(NOW)
        .when({ type: 'WithdrawPresence', data: { endpointId: 'ep-1', ifMatch: 'etag-1' } })
        .then([{ type: 'presence.withdrawn.v1', data: { sipUri: ALICE, endpointId: 'ep-1', etag: 'etag-1', reason: 'unpublished', at: NOW } }]);
    });

    it('refuses a withdrawal with the wrong entity tag', () => {
      given([provisioned(), registered(1), published(1)])
        .when({ type: 'WithdrawPresence', data: { endpointId: 'ep-1', ifMatch: 'nope' } })
        .thenThrows(DomainError, /^etag_mismatch:/);
    });

    it('writes nothing when there is nothing to withdraw', () => {
      given([provisioned(), registered(1)]).when({ type: 'WithdrawPresence', data: { endpointId: 'ep-1' } }).then([]);
    });
  });

  describe('user-chosen state', () => {
    it('sets a state until a given instant, normalised to UTC', () => {
      given([provisioned()])
        .at(NOW)
        .when({ type: 'SetUserState', data: { availability: 'be_right_back', note: 'Lunch', until: '2024-05-01T12:00:00+02:00' } })
        .then([
          {
            type: 'presence.user_state_set.v1',
            data: { sipUri: ALICE, availability: 'be_right_back', code: 12500, note: 'Lunch', until: '2024-05-01T10:00:00.000Z', at: NOW },
          },
        ]);
    });

    it('refuses an until that is not in the future', () => {
      given([provisioned()])
        .at(NOW)
        .when({ type: 'SetUserState', data: { availability: 'away', until: NOW } })
        .thenThrows(DomainError, /^invalid_until:/);
    });

    it('clears a chosen state, and writes nothing when none is set', () => {
      const set: UserEvent = {
        type: 'presence.user_state_set.v1',
        data: { sipUri: ALICE, availability: 'away', code: 15500, note: null, until: null, at: T0 },
      };
      given([provisioned(), set])
        .at(NOW)
        .when({ type: 'ClearUserState', data: {} })
        .then([{ type: 'presence.user_state_cleared.v1', data: { sipUri: ALICE, reason: 'cleared', at: NOW } }]);
      given([provisioned()]).when({ type: 'ClearUserState', data: {} }).then([]);
    });
  });

  describe('watchers', () => {
    it('subscribes a watcher until now + expires', () => {
      given([provisioned()])
        .at(NOW)
        .when({ type: 'SubscribeWatcher', data: { watcherUri: BOB, subscriptionId: SUB, expiresSeconds: 600 } })
        .then([{ type: 'presence.watcher_subscribed.v1', data: { sipUri: ALICE, watcherUri: BOB, subscriptionId: SUB, expiresAt: LATER, at: NOW } }]);
    });

    it('unsubscribes a known subscription and ignores an unknown one', () => {
      given([provisioned(), watcher(LATER)])
        .at(NOW)
        .when({ type: 'UnsubscribeWatcher', data: { subscriptionId: SUB } })
        .then([
          {
            type: 'presence.watcher_unsubscribed.v1',
            data: { sipUri: ALICE, watcherUri: BOB, subscriptionId: SUB, reason: 'unsubscribed', at: NOW },
          },
        ]);
      given([provisioned()]).when({ type: 'UnsubscribeWatcher', data: { subscriptionId: SUB } }).then([]);
    });
  });

  describe('SweepExpired', () => {
    it('writes every lapse: bindings (with their presence), publications, subscriptions and chosen states', () => {
      const history: UserEvent[] = [
        provisioned(),
        registered(1, { expiresAt: '2024-05-01T09:05:00.000Z' }),
        published(1),
        registered(2),
        published(2, { expiresAt: '2024-05-01T09:15:00.000Z' }),
        registered(3),
        published(3),
        watcher('2024-05-01T09:20:00.000Z'),
        {
          type: 'presence.user_state_set.v1',
          data: { sipUri: ALICE, availability: 'away', code: 15500, note: null, until: '2024-05-01T09:25:00.000Z', at: T0 },
        },
      ];
      given(history)
        .at(NOW)
        .when({ type: 'SweepExpired', data: {} })
        .then([
          { type: 'endpoint.expired.v1', data: { sipUri: ALICE, endpointId: 'ep-1', contact: contactOf(1), expiredAt: '2024-05-01T09:05:00.000Z', at: NOW } },
          { type: 'presence.withdrawn.v1', data: { sipUri: ALICE, endpointId: 'ep-1', etag: 'etag-1', reason: 'endpoint_expired', at: NOW } },
          { type: 'presence.expired.v1', data: { sipUri: ALICE, endpointId: 'ep-2', etag: 'etag-2', expiredAt: '2024-05-01T09:15:00.000Z', at: NOW } },
          { type: 'presence.watcher_unsubscribed.v1', data: { sipUri: ALICE, watcherUri: BOB, subscriptionId: SUB, reason: 'expired', at: NOW } },
          { type: 'presence.user_state_cleared.v1', data: { sipUri: ALICE, reason: 'expired', at: NOW } },
        ]);
    });

    it('writes nothing when nothing has lapsed', () => {
      given([provisioned(), registered(1), published(1), watcher(LATER)]).at(NOW).when({ type: 'SweepExpired', data: {} }).then([]);
    });
  });
});
