import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AVAILABILITY_CODES, type Availability } from '../../../../src/events/domain/availability.ts';
import { IN_A_CALL, aggregatePresence, presenceValidThrough } from '../../../../src/projections/presence/aggregate-presence.ts';
import type { MachinePublication, PresenceInputs, UserSetState } from '../../../../src/projections/presence/presence-inputs.ts';
import { T0, t } from './domain-event-fixtures.ts';

interface Given {
  /** endpointId → expiry (default: live for an hour). */
  readonly endpoints?: Record<string, string>;
  readonly publications?: readonly MachinePublication[];
  readonly userState?: UserSetState | null;
  readonly calls?: readonly string[];
}

function given(g: Given): PresenceInputs {
  return {
    endpoints: new Map(Object.entries(g.endpoints ?? { ep1: t(3600) })),
    publications: new Map((g.publications ?? []).map((p) => [p.endpointId, p])),
    userState: g.userState ?? null,
    calls: new Set(g.calls ?? []),
  };
}

function pub(endpointId: string, availability: Availability, o: Partial<MachinePublication> = {}): MachinePublication {
  return {
    endpointId,
    availability,
    code: AVAILABILITY_CODES[availability],
    activity: null,
    note: null,
    etag: `etag-${endpointId}`,
    expiresAt: t(3600),
    ...o,
  };
}

function chosen(availability: Availability, o: Partial<UserSetState> = {}): UserSetState {
  return { availability, code: AVAILABILITY_CODES[availability], note: null, until: null, ...o };
}

describe('aggregatePresence (the OCS ladder)', () => {
  it('no endpoint at all: Offline', () => {
    const p = aggregatePresence(given({ endpoints: {}, publications: [pub('ep1', 'available')] }), T0);
    assert.deepEqual(p, { availability: 'offline', code: 18500, activity: null, note: null, source: 'no_endpoint' });
  });

  it('only expired endpoints: Offline, even with a live user-set state (its note is kept)', () => {
    const p = aggregatePresence(
      given({ endpoints: { ep1: t(10) }, publications: [pub('ep1', 'available')], userState: chosen('busy', { note: 'back at 3' }) }),
      t(11),
    );
    assert.equal(p.availability, 'offline');
    assert.equal(p.source, 'no_endpoint');
    assert.equal(p.note, 'back at 3');
  });

  it('an endpoint is live up to and including its expiry instant', () => {
    const inputs = given({ endpoints: { ep1: t(10) } });
    assert.equal(aggregatePresence(inputs, t(10)).availability, 'available');
    assert.equal(aggregatePresence(inputs, '2026-01-05T09:00:10.001Z').availability, 'offline');
  });

  it('a registered endpoint that never published: Available', () => {
    assert.deepEqual(aggregatePresence(given({}), T0), {
      availability: 'available',
      code: 3500,
      activity: null,
      note: null,
      source: 'registration',
    });
  });

  it('among endpoints the most available machine state wins', () => {
    const p = aggregatePresence(
      given({
        endpoints: { laptop: t(3600), phone: t(3600), tablet: t(3600) },
        publications: [pub('laptop', 'away', { code: 15500 }), pub('phone', 'busy', { activity: 'Presenting' }), pub('tablet', 'be_right_back')],
      }),
      T0,
    );
    assert.deepEqual(p, { availability: 'busy', code: 6500, activity: 'Presenting', note: null, source: 'machine' });
  });

  it('keeps the exact ladder code: idle-available (5000) is Away and loses to active Available', () => {
    const idle = given({ endpoints: { a: t(3600), b: t(3600) }, publications: [pub('a', 'away', { code: 5000 }), pub('b', 'away', { code: 15500 })] });
    assert.equal(aggregatePresence(idle, T0).code, 5000);
    const active = given({ endpoints: { a: t(3600), b: t(3600) }, publications: [pub('a', 'away', { code: 5000 }), pub('b', 'available', { code: 3100 })] });
    assert.deepEqual([aggregatePresence(active, T0).availability, aggregatePresence(active, T0).code], ['available', 3100]);
  });

  it('equal codes: the lower endpoint id wins, whatever the insertion order', () => {
    const a = pub('a', 'busy', { activity: 'from a' });
    const b = pub('b', 'busy', { activity: 'from b' });
    const endpoints = { a: t(3600), b: t(3600) };
    assert.equal(aggregatePresence(given({ endpoints, publications: [b, a] }), T0).activity, 'from a');
    assert.equal(aggregatePresence(given({ endpoints, publications: [a, b] }), T0).activity, 'from a');
  });

  it('ignores expired publications and publications of endpoints that are not live', () => {
    const inputs = given({
      endpoints: { desk: t(3600), old: t(5) },
      publications: [pub('desk', 'away', { expiresAt: t(3600) }), pub('old', 'available'), pub('gone', 'available'), pub('stale', 'available', { expiresAt: t(1) })],
    });
    const p = aggregatePresence(inputs, t(10));
    assert.equal(p.availability, 'away');
    assert.equal(p.source, 'machine');
    // Once its publication lapses the endpoint is still registered: Available.
    assert.equal(aggregatePresence(given({ endpoints: { desk: t(3600) }, publications: [pub('desk', 'away', { expiresAt: t(5) })] }), t(6)).source, 'registration');
  });

  it('a call makes the user Busy / In a call over an Available machine state', () => {
    const p = aggregatePresence(given({ publications: [pub('ep1', 'available', { note: 'hi' })], calls: ['call-1'] }), T0);
    assert.deepEqual(p, { availability: 'busy', code: 6500, activity: IN_A_CALL, note: 'hi', source: 'call' });
    assert.equal(aggregatePresence(given({ calls: ['call-1'] }), T0).source, 'call');
  });

  it('a call wins a tie with a machine Busy, but not a machine state less available than Busy', () => {
    assert.equal(aggregatePresence(given({ publications: [pub('ep1', 'busy', { activity: 'Busy' })], calls: ['c'] }), T0).activity, IN_A_CALL);
    const dnd = aggregatePresence(given({ publications: [pub('ep1', 'do_not_disturb', { activity: 'Presenting' })], calls: ['c'] }), T0);
    assert.deepEqual([dnd.availability, dnd.activity, dnd.source], ['do_not_disturb', 'Presenting', 'machine']);
  });

  it('a user-set state outranks the machine state, in both directions', () => {
    const away = aggregatePresence(given({ publications: [pub('ep1', 'available')], userState: chosen('away', { note: 'lunch' }) }), T0);
    assert.deepEqual(away, { availability: 'away', code: 15500, activity: null, note: 'lunch', source: 'user' });
    const available = aggregatePresence(given({ publications: [pub('ep1', 'away', { code: 15500 })], userState: chosen('available') }), T0);
    assert.deepEqual([available.availability, available.source], ['available', 'user']);
  });

  it('user-set DND beats an in-call Busy; user-set Busy in a call says In a call', () => {
    const dnd = aggregatePresence(given({ userState: chosen('do_not_disturb'), calls: ['c'] }), T0);
    assert.deepEqual([dnd.availability, dnd.code, dnd.activity, dnd.source], ['do_not_disturb', 9500, null, 'user']);
    const busy = aggregatePresence(given({ userState: chosen('busy'), calls: ['c'] }), T0);
    assert.deepEqual([busy.availability, busy.activity, busy.source], ['busy', IN_A_CALL, 'user']);
    const appearOffline = aggregatePresence(given({ userState: chosen('offline'), calls: ['c'] }), T0);
    assert.deepEqual([appearOffline.availability, appearOffline.source], ['offline', 'user']);
  });

  it('user-set Available does not hide a call', () => {
    const p = aggregatePresence(given({ userState: chosen('available', { note: 'ask me' }), calls: ['c'] }), T0);
    assert.deepEqual(p, { availability: 'busy', code: 6500, activity: IN_A_CALL, note: 'ask me', source: 'call' });
  });

  it('a user-set state holds through its until, then the machine state shows again', () => {
    const inputs = given({ publications: [pub('ep1', 'available', { note: 'machine note' })], userState: chosen('be_right_back', { until: t(900), note: 'coffee' }) });
    assert.deepEqual([aggregatePresence(inputs, t(900)).availability, aggregatePresence(inputs, t(900)).note], ['be_right_back', 'coffee']);
    const after = aggregatePresence(inputs, t(901));
    assert.deepEqual([after.availability, after.note, after.source], ['available', 'machine note', 'machine']);
  });
});

describe('presenceValidThrough', () => {
  it('is the earliest expiry still live at asOf', () => {
    const inputs = given({
      endpoints: { a: t(3600), b: t(5) },
      publications: [pub('a', 'available', { expiresAt: t(1800) })],
      userState: chosen('away', { until: t(900) }),
    });
    assert.equal(presenceValidThrough(inputs, T0), t(5));
    assert.equal(presenceValidThrough(inputs, t(6)), t(900));
    assert.equal(presenceValidThrough(inputs, t(901)), t(1800));
  });

  it('is null when nothing live expires', () => {
    assert.equal(presenceValidThrough(given({ endpoints: { a: t(5) }, userState: chosen('away') }), t(6)), null);
  });
});
