import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import { InMemoryView, type ViewChange } from '../../../../src/projections/framework/in-memory-view.ts';
import { IN_A_CALL } from '../../../../src/projections/presence/aggregate-presence.ts';
import type { PresenceModelEvent } from '../../../../src/projections/presence/presence-event-types.ts';
import { createPresenceReader } from '../../../../src/projections/presence/presence-reader.ts';
import type { PresenceViewState } from '../../../../src/projections/presence/presence-view-state.ts';
import { presenceView } from '../../../../src/projections/presence/presence-view.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';
import {
  ALICE,
  BOB,
  CAROL,
  T0,
  callAnswered,
  callEnded,
  callHeld,
  callInitiated,
  callParked,
  deprovisioned,
  endpointExpired,
  published,
  recorded,
  registered,
  routedToUser,
  streamOf,
  t,
  toNew,
  unregistered,
  userStateCleared,
  userStateSet,
  watcherSubscribed,
  watcherUnsubscribed,
  withdrawn,
} from './domain-event-fixtures.ts';

/** Applies `history`, then `when`; returns the state and the keys each `when` event returned. */
function given(history: readonly PresenceModelEvent[]) {
  const state = presenceView.initialState();
  const all = recorded(history);
  for (const e of all) presenceView.apply(state, e);
  const reader = createPresenceReader({ state });
  return {
    state,
    reader,
    when(...events: readonly PresenceModelEvent[]) {
      const keys = recorded([...history, ...events]).slice(history.length).map((e) => [...(presenceView.apply(state, e) ?? [])]);
      return { state, reader, keys };
    },
  };
}

describe('presenceView', () => {
  it('a registered endpoint that publishes is seen at its publication; the user is the changed key', () => {
    const { reader, keys } = given([registered(ALICE, 'ep1')]).when(published(ALICE, 'ep1', 'away', { note: 'at lunch' }));
    assert.deepEqual(keys, [[ALICE]]);
    const p = reader.presenceOf(ALICE, t(10));
    assert.deepEqual([p.availability, p.note, p.source], ['away', 'at lunch', 'machine']);
  });

  it('aggregates endpoints: the most available one wins until it leaves', () => {
    const g = given([registered(ALICE, 'desk'), registered(ALICE, 'phone'), published(ALICE, 'desk', 'available'), published(ALICE, 'phone', 'away')]);
    assert.equal(g.reader.presenceOf(ALICE, t(10)).availability, 'available');
    const { keys, reader } = g.when(unregistered(ALICE, 'desk'), withdrawn(ALICE, 'desk'));
    assert.deepEqual(keys, [[ALICE], [ALICE]]);
    assert.equal(reader.presenceOf(ALICE, t(70)).availability, 'away');
  });

  it('no live endpoint: Offline, both by the clock (reader now) and by the expiry event', () => {
    const g = given([registered(ALICE, 'ep1', { expiresAt: t(300) }), published(ALICE, 'ep1', 'available', { expiresAt: t(300) })]);
    assert.equal(g.reader.presenceOf(ALICE, t(300)).availability, 'available');
    assert.equal(g.reader.presenceOf(ALICE, t(301)).availability, 'offline');
    assert.equal(g.reader.presenceValidThrough(ALICE, t(10)), t(300));
    const { keys, state } = g.when(endpointExpired(ALICE, 'ep1', t(300), t(400)));
    assert.deepEqual(keys, [[ALICE]]);
    // The publication is still held until its own withdrawal: the entry stays, Offline.
    assert.ok(state.users.has(ALICE));
    assert.equal(g.reader.presenceOf(ALICE, t(10)).source, 'no_endpoint');
  });

  it('drops an entry once it has no input left, and reads an unknown user as Offline', () => {
    const { state, reader } = given([registered(ALICE, 'ep1'), published(ALICE, 'ep1', 'busy')]).when(withdrawn(ALICE, 'ep1'), unregistered(ALICE, 'ep1'));
    assert.equal(state.users.has(ALICE), false);
    assert.deepEqual(reader.presenceOf(ALICE, T0), { availability: 'offline', code: 18500, activity: null, note: null, source: 'no_endpoint' });
    assert.deepEqual(given([]).when(withdrawn(BOB, 'nothing')).keys, [[]], 'nothing about an unknown user changes');
  });

  it('a user-set state wins until it is cleared, and expires by the reader\'s clock', () => {
    const g = given([registered(ALICE, 'ep1'), published(ALICE, 'ep1', 'available')]);
    const set = g.when(userStateSet(ALICE, 'do_not_disturb', { until: t(900), note: 'focus' }));
    assert.deepEqual(set.keys, [[ALICE]]);
    assert.deepEqual([g.reader.presenceOf(ALICE, t(5)).availability, g.reader.presenceOf(ALICE, t(5)).note], ['do_not_disturb', 'focus']);
    assert.equal(g.reader.presenceOf(ALICE, t(901)).availability, 'available');
    assert.equal(g.reader.presenceValidThrough(ALICE, t(5)), t(900));
    const cleared = g.when(userStateCleared(ALICE, t(10)));
    assert.deepEqual(cleared.keys, [[ALICE]]);
    assert.equal(g.reader.presenceOf(ALICE, t(11)).availability, 'available');
    assert.deepEqual(g.when(userStateCleared(ALICE, t(12))).keys, [[]], 'clearing twice changes nothing');
  });

  it('an answered call makes both parties Busy / In a call until it ends; held and parked still count', () => {
    const g = given([registered(ALICE, 'a1'), registered(BOB, 'b1'), published(ALICE, 'a1', 'available')]);
    const ringing = g.when(callInitiated('c1', ALICE), routedToUser('c1', BOB));
    assert.deepEqual(ringing.keys, [[], []]);
    assert.equal(g.reader.isInCall(ALICE), false);
    const answered = g.when(callAnswered('c1'));
    assert.deepEqual(answered.keys, [[ALICE, BOB]]);
    for (const user of [ALICE, BOB]) {
      const p = g.reader.presenceOf(user, t(10));
      assert.deepEqual([p.availability, p.activity, p.source], ['busy', IN_A_CALL, 'call']);
    }
    assert.deepEqual(g.when(callHeld('c1', BOB), callParked('c1', BOB)).keys, [[], []]);
    assert.equal(g.reader.isInCall(BOB), true);
    const ended = g.when(callEnded('c1'));
    assert.deepEqual(ended.keys, [[ALICE, BOB]]);
    assert.equal(g.reader.presenceOf(ALICE, t(70)).availability, 'available');
    assert.equal(g.reader.presenceOf(BOB, t(70)).source, 'registration');
    assert.equal(ended.state.calls.size, 0);
  });

  it('a user-set DND beats the in-call Busy', () => {
    const { reader } = given([registered(ALICE, 'a1'), userStateSet(ALICE, 'do_not_disturb'), callInitiated('c1', ALICE), routedToUser('c1', BOB), callAnswered('c1')]).when();
    assert.equal(reader.presenceOf(ALICE, t(10)).availability, 'do_not_disturb');
  });

  it('indexes watchers by the watched user; subscribing and leaving change nobody\'s presence', () => {
    const g = given([registered(ALICE, 'a1')]);
    const sub = g.when(
      watcherSubscribed(ALICE, BOB, 'sub-b', { expiresAt: t(600) }),
      watcherSubscribed(ALICE, CAROL, 'sub-c', { expiresAt: t(60) }),
      watcherSubscribed(ALICE, BOB, 'sub-b', { expiresAt: t(1200), at: t(500) }),
    );
    assert.deepEqual(sub.keys, [[], [], []]);
    assert.deepEqual(g.reader.watchersOf(ALICE, t(30)), [
      { subscriptionId: 'sub-b', watcherUri: BOB, expiresAt: t(1200) },
      { subscriptionId: 'sub-c', watcherUri: CAROL, expiresAt: t(60) },
    ]);
    assert.deepEqual(g.reader.watchersOf(ALICE, t(61)).map((w) => w.subscriptionId), ['sub-b'], 'an expired subscription is not fanned out to');
    assert.deepEqual(g.when(watcherUnsubscribed(ALICE, BOB, 'sub-b')).keys, [[]]);
    assert.deepEqual(g.reader.watchersOf(ALICE, t(30)).map((w) => w.subscriptionId), ['sub-c']);
    g.when(watcherUnsubscribed(ALICE, CAROL, 'sub-c'));
    assert.equal(g.state.watchers.has(ALICE), false);
  });

  it('deprovisioning removes the user, their watchers, their own subscriptions and their call seats', () => {
    const g = given([
      registered(ALICE, 'a1'),
      published(ALICE, 'a1', 'busy'),
      watcherSubscribed(ALICE, BOB, 'bob-watches-alice'),
      watcherSubscribed(CAROL, ALICE, 'alice-watches-carol'),
      watcherSubscribed(CAROL, BOB, 'bob-watches-carol'),
      callInitiated('c1', ALICE),
      routedToUser('c1', BOB),
      callAnswered('c1'),
    ]);
    const { keys, state, reader } = g.when(deprovisioned(ALICE));
    assert.deepEqual(keys, [[ALICE]]);
    assert.equal(state.users.has(ALICE), false);
    assert.deepEqual(reader.watchersOf(ALICE, t(10)), []);
    assert.deepEqual(reader.watchersOf(CAROL, t(10)).map((w) => w.watcherUri), [BOB]);
    assert.deepEqual(state.calls.get('c1')?.parties, [BOB]);
    // The call ending later does not bring Alice back.
    assert.deepEqual(g.when(callEnded('c1')).keys, [[BOB]]);
    assert.equal(state.users.has(ALICE), false);
  });

  it('runs in an InMemoryView: `changed` names the users to NOTIFY, once per batch', async () => {
    const store = new InMemoryEventStore(domainCatalogue);
    const view = new InMemoryView<DomainEvent, PresenceViewState>({ store, definition: presenceView, logger: silentLogger });
    const changes: ViewChange<string>[] = [];
    view.on('changed', (c) => changes.push(c));
    try {
      await view.start();
      const reader = createPresenceReader(view);
      const events = [registered(ALICE, 'a1'), published(ALICE, 'a1', 'away'), watcherSubscribed(ALICE, BOB, 's1')];
      let last = 0n;
      for (const e of events) last = (await store.append(streamOf(e), [toNew(e)], { expectedVersion: 'any' })).positions.at(-1)!;
      await view.waitForPosition(last, 5_000);
      // `changed` is emitted before the position advances, so every batch has reported by now.
      assert.deepEqual([...new Set(changes.flatMap((c) => c.keys))], [ALICE]);
      assert.ok(changes.every((c) => c.position <= last));
      assert.equal(reader.presenceOf(ALICE, t(10)).availability, 'away');
      assert.deepEqual(reader.watchersOf(ALICE, t(10)).map((w) => w.watcherUri), [BOB]);
    } finally {
      await view.close();
      await store.close();
    }
  });
});
