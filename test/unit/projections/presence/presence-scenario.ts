import type { PresenceModelEvent } from '../../../../src/projections/presence/presence-event-types.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  T0,
  blocksSet,
  callAnswered,
  callEnded,
  callForwarded,
  callHeld,
  callInitiated,
  callParked,
  callRetrieved,
  callTransferred,
  deprovisioned,
  endpointExpired,
  publicationExpired,
  published,
  refreshed,
  registered,
  routedToPstn,
  routedToUser,
  t,
  unregistered,
  userStateCleared,
  userStateSet,
  watcherSubscribed,
  watcherUnsubscribed,
  withdrawn,
} from './domain-event-fixtures.ts';

/**
 * A day of a small pool, in log order, touching every rule of the presence
 * model: several endpoints, publications and their lapses, user-set states,
 * calls forwarded, transferred, held, parked and retrieved, watchers, and a
 * deprovisioning mid-call. Split in two so specs can append the second part
 * live (after a seed or between rebuilds).
 */
export const PRESENCE_DAY_MORNING: readonly PresenceModelEvent[] = [
  registered(ALICE, 'alice-desk', { at: T0, expiresAt: t(3600) }),
  registered(ALICE, 'alice-phone', { at: t(1), expiresAt: t(3600) }),
  published(ALICE, 'alice-desk', 'available', { at: t(2), note: 'in the office' }),
  published(ALICE, 'alice-phone', 'away', { at: t(3), code: 15000 }),
  registered(BOB, 'bob-desk', { at: t(4), expiresAt: t(120), instanceId: '<urn:uuid:00000000-0000-4000-8000-0000000000b0>' }),
  published(BOB, 'bob-desk', 'busy', { at: t(5), activity: 'Presenting', expiresAt: t(120) }),
  registered(CAROL, 'carol-phone', { at: t(6) }),
  registered(DAVE, 'dave-desk', { at: t(7) }),
  watcherSubscribed(ALICE, BOB, 'bob-watches-alice', { at: t(8), expiresAt: t(600) }),
  watcherSubscribed(ALICE, CAROL, 'carol-watches-alice', { at: t(9), expiresAt: t(600) }),
  watcherSubscribed(BOB, ALICE, 'alice-watches-bob', { at: t(10) }),
  watcherSubscribed(CAROL, DAVE, 'dave-watches-carol', { at: t(11) }),
  userStateSet(CAROL, 'be_right_back', { at: t(12), until: t(900), note: 'coffee' }),
  blocksSet(ALICE, ['spam.test', DAVE], t(13)),
  blocksSet(DAVE, [BOB], t(14)),
  // Alice calls Bob, who forwards to Carol; Carol answers, holds, then transfers to Dave.
  callInitiated('call-1', ALICE, t(20)),
  routedToUser('call-1', BOB, t(20)),
  callForwarded('call-1', BOB, CAROL, t(25)),
  routedToUser('call-1', CAROL, t(25)),
  callAnswered('call-1', t(30)),
  callHeld('call-1', CAROL, t(40)),
  callTransferred('call-1', CAROL, DAVE, t(50)),
  routedToUser('call-1', DAVE, t(50)),
  callAnswered('call-1', t(55)),
  // Bob calls the PSTN and parks it; Carol retrieves it.
  callInitiated('call-2', BOB, t(60)),
  routedToPstn('call-2', t(60)),
  callAnswered('call-2', t(65)),
  callParked('call-2', BOB, t(70)),
  callRetrieved('call-2', CAROL, t(80)),
  refreshed(BOB, 'bob-desk', { at: t(100), expiresAt: t(3700) }),
  published(BOB, 'bob-desk', 'available', { at: t(101), expiresAt: t(3700), etag: 'etag-bob-desk' }),
];

export const PRESENCE_DAY_AFTERNOON: readonly PresenceModelEvent[] = [
  userStateCleared(CAROL, t(200)),
  userStateSet(ALICE, 'do_not_disturb', { at: t(210), note: 'focus time' }),
  watcherSubscribed(ALICE, BOB, 'bob-watches-alice', { at: t(300), expiresAt: t(1200) }),
  watcherUnsubscribed(ALICE, CAROL, 'carol-watches-alice', t(310)),
  unregistered(ALICE, 'alice-phone', t(320)),
  withdrawn(ALICE, 'alice-phone', t(320)),
  blocksSet(ALICE, [DAVE, 'spam.test', 'sip:zed@spam.test'], t(330)),
  blocksSet(CAROL, [ALICE], t(340)),
  blocksSet(CAROL, [], t(350)),
  // Dave leaves the company mid-call; the call ends later without him.
  deprovisioned(DAVE, t(400)),
  callEnded('call-1', t(500)),
  callEnded('call-2', t(510)),
  publicationExpired(ALICE, 'alice-desk', t(3600), t(3601)),
  endpointExpired(ALICE, 'alice-desk', t(3600), t(3601)),
  // A late-comer who only registers, and is in a new call when the day ends.
  registered('sip:erin@example.test', 'erin-softphone', { at: t(3700), expiresAt: t(7300) }),
  callInitiated('call-3', 'tel:+14255550100', t(3710)),
  routedToUser('call-3', 'sip:erin@example.test', t(3710)),
  callAnswered('call-3', t(3715)),
];

/** Instants at which specs compare readers (before, inside and after the day's expiries). */
export const PRESENCE_PROBE_INSTANTS: readonly string[] = [T0, t(100), t(600), t(901), t(3600), t(3601), t(3800), t(8000)];

export const PRESENCE_USERS: readonly string[] = [ALICE, BOB, CAROL, DAVE, 'sip:erin@example.test'];
