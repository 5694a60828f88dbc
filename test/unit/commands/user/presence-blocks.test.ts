import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import { isBlockedBy } from '../../../../src/commands/user/presence-block-rules.ts';
import { UserCommandSchema } from '../../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import type { UserEvent } from '../../../../src/commands/user/user-state.ts';
import { specFor, T0 } from '../spec.ts';
import { ALICE, BOB, provisioned } from './user-fixtures.ts';

const { given } = specFor(userDecider);
const CAROL = 'sip:carol@example.test';
const EVE = 'sip:eve@spam.test';
const NOW = '2024-05-01T09:30:00.000Z';

function subscribed(watcherUri: string, subscriptionId: string, expiresAt = '2024-05-01T10:00:00.000Z'): UserEvent {
  return { type: 'presence.watcher_subscribed.v1', data: { sipUri: ALICE, watcherUri, subscriptionId, expiresAt, at: T0 } };
}

function blocksSet(blocked: string[], at = T0): UserEvent {
  return { type: 'presence.blocks_set.v1', data: { sipUri: ALICE, blocked, at } };
}

function rejected(watcherUri: string, subscriptionId: string): UserEvent {
  return { type: 'presence.watcher_unsubscribed.v1', data: { sipUri: ALICE, watcherUri, subscriptionId, reason: 'rejected', at: NOW } };
}

describe('presence block list', () => {
  it('sets the whole list, and ends every live subscription it now refuses (AOR and domain), in subscription-id order', () => {
    given([provisioned(), subscribed(BOB, 'sub-b'), subscribed(EVE, 'sub-a'), subscribed(CAROL, 'sub-c')])
      .at(NOW)
      .when({ type: 'SetPresenceBlocks', data: { blocked: [BOB, 'spam.test'] } })
      .then([blocksSet([BOB, 'spam.test'], NOW), rejected(EVE, 'sub-a'), rejected(BOB, 'sub-b')]);
  });

  it('leaves a lapsed subscription to the sweep', () => {
    given([provisioned(), subscribed(BOB, 'sub-b', '2024-05-01T09:10:00.000Z')])
      .at(NOW)
      .when({ type: 'BlockWatcher', data: { watcher: BOB } })
      .then([blocksSet([BOB], NOW)]);
  });

  it('blocks and unblocks one entry at a time; repeating either writes nothing', () => {
    given([provisioned(), blocksSet([BOB])])
      .at(NOW)
      .when({ type: 'BlockWatcher', data: { watcher: 'spam.test' } })
      .then([blocksSet([BOB, 'spam.test'], NOW)]);
    given([provisioned(), blocksSet([BOB])]).when({ type: 'BlockWatcher', data: { watcher: BOB } }).then([]);
    given([provisioned(), blocksSet([BOB, 'spam.test'])])
      .at(NOW)
      .when({ type: 'UnblockWatcher', data: { watcher: BOB } })
      .then([blocksSet(['spam.test'], NOW)]);
    given([provisioned(), blocksSet([BOB])]).when({ type: 'UnblockWatcher', data: { watcher: CAROL } }).then([]);
    given([provisioned(), blocksSet([BOB])]).when({ type: 'SetPresenceBlocks', data: { blocked: [BOB] } }).then([]);
    given([provisioned()]).when({ type: 'SetPresenceBlocks', data: { blocked: [] } }).then([]);
  });

  it('refuses a SUBSCRIBE from a blocked watcher or domain, and accepts it again once unblocked', () => {
    given([provisioned(), blocksSet([BOB])])
      .when({ type: 'SubscribeWatcher', data: { watcherUri: BOB, subscriptionId: 's1', expiresSeconds: 600 } })
      .thenThrows(DomainError, /^watcher_blocked:/);
    given([provisioned(), blocksSet(['spam.test'])])
      .when({ type: 'SubscribeWatcher', data: { watcherUri: EVE, subscriptionId: 's1', expiresSeconds: 600 } })
      .thenThrows(DomainError, /^watcher_blocked:/);
    given([provisioned(), blocksSet([BOB]), blocksSet([])])
      .when({ type: 'SubscribeWatcher', data: { watcherUri: BOB, subscriptionId: 's1', expiresSeconds: 600 } })
      .then([
        {
          type: 'presence.watcher_subscribed.v1',
          data: { sipUri: ALICE, watcherUri: BOB, subscriptionId: 's1', expiresAt: '2024-05-01T09:10:00.000Z', at: T0 },
        },
      ]);
  });

  it('refuses a deprovisioned or unknown user', () => {
    given([]).when({ type: 'BlockWatcher', data: { watcher: BOB } }).thenThrows(DomainError, /^not_provisioned:/);
  });

  it('the command schema takes AORs and lower-case domains only, without repeats', () => {
    const parse = (blocked: unknown) => UserCommandSchema.safeParse({ type: 'SetPresenceBlocks', data: { blocked } }).success;
    assert.equal(parse([BOB, 'spam.test', 'a.b-c.example']), true);
    assert.equal(parse(['Spam.Test']), false);
    assert.equal(parse(['sip:bob@example.test;transport=tcp']), false);
    assert.equal(parse(['*.spam.test']), false);
    assert.equal(parse([BOB, BOB]), false);
  });

  it('isBlockedBy matches the exact AOR or its whole domain, never a suffix or the user part', () => {
    assert.equal(isBlockedBy(['spam.test'], 'sip:eve@spam.test'), true);
    assert.equal(isBlockedBy(['spam.test'], 'sip:eve@sub.spam.test'), false);
    assert.equal(isBlockedBy(['spam.test'], 'sip:spam.test@example.test'), false);
    assert.equal(isBlockedBy([BOB], BOB), true);
    assert.equal(isBlockedBy([BOB], CAROL), false);
    assert.equal(isBlockedBy([], BOB), false);
  });
});
