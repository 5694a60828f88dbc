import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { HandledEvent } from '../../../../src/projections/framework/index.ts';
import type { LocationEventType } from '../../../../src/projections/location/location-event-types.ts';
import { createLocationReader } from '../../../../src/projections/location/location-reader.ts';
import { locationView } from '../../../../src/projections/location/location-view.ts';
import {
  ALICE,
  BOB,
  T0,
  deprovisioned,
  endpointExpired,
  recorded,
  refreshed,
  registered,
  t,
  unregistered,
} from '../presence/domain-event-fixtures.ts';

type LocationEvent = HandledEvent<DomainEvent, LocationEventType>;

function given(history: readonly LocationEvent[]) {
  const state = locationView.initialState();
  for (const e of recorded(history)) locationView.apply(state, e);
  const reader = createLocationReader({ state });
  return {
    state,
    reader,
    when(...events: readonly LocationEvent[]) {
      const keys = recorded([...history, ...events]).slice(history.length).map((e) => [...(locationView.apply(state, e) ?? [])]);
      return { keys };
    },
  };
}

describe('locationView', () => {
  it('a REGISTER adds a binding with everything the proxy needs; the AOR is the changed key', () => {
    const g = given([]);
    const { keys } = g.when(
      registered(ALICE, 'ep1', { instanceId: '<urn:uuid:00000000-0000-4000-8000-000000000001>', contact: 'sip:alice@192.0.2.10:5070;transport=tcp', sourceAddress: '203.0.113.7:41000' }),
    );
    assert.deepEqual(keys, [[ALICE]]);
    assert.deepEqual(g.reader.liveContacts(ALICE, t(10)), [
      {
        endpointId: 'ep1',
        aor: ALICE,
        contact: 'sip:alice@192.0.2.10:5070;transport=tcp',
        transport: 'tcp',
        sourceAddress: '203.0.113.7:41000',
        instanceId: '<urn:uuid:00000000-0000-4000-8000-000000000001>',
        userAgent: 'Chorus-Test/1.0',
        expiresAt: t(3600),
        registeredAt: T0,
      },
    ]);
    assert.equal(g.reader.bindingOf('ep1')?.aor, ALICE);
    assert.equal(g.reader.isRegistered(ALICE, t(10)), true);
  });

  it('liveContacts filters by the reader\'s clock (live through the expiry instant) and keeps ring order', () => {
    const { reader } = given([
      registered(ALICE, 'late', { at: t(20), expiresAt: t(3600) }),
      registered(ALICE, 'short', { at: t(10), expiresAt: t(100) }),
      registered(ALICE, 'first', { at: T0, expiresAt: t(3600) }),
    ]);
    assert.deepEqual(reader.liveContacts(ALICE, t(100)).map((b) => b.endpointId), ['first', 'short', 'late']);
    assert.deepEqual(reader.liveContacts(ALICE, t(101)).map((b) => b.endpointId), ['first', 'late']);
    assert.equal(reader.bindingOf('short')?.expiresAt, t(100), 'lookup by endpoint id still finds a lapsed binding');
    assert.equal(reader.isRegistered(ALICE, t(3601)), false);
    assert.deepEqual(reader.liveContacts(BOB, T0), []);
  });

  it('a refresh moves the expiry and contact, keeping the instance id and first registration', () => {
    const g = given([registered(ALICE, 'ep1', { instanceId: '<urn:uuid:1>', expiresAt: t(60) })]);
    const { keys } = g.when(refreshed(ALICE, 'ep1', { at: t(50), expiresAt: t(3650), contact: 'sip:alice@192.0.2.99:5060', sourceAddress: '203.0.113.9:5060' }));
    assert.deepEqual(keys, [[ALICE]]);
    const b = g.reader.bindingOf('ep1');
    assert.deepEqual(
      [b?.contact, b?.sourceAddress, b?.expiresAt, b?.instanceId, b?.registeredAt],
      ['sip:alice@192.0.2.99:5060', '203.0.113.9:5060', t(3650), '<urn:uuid:1>', T0],
    );
    assert.equal(g.reader.liveContacts(ALICE, t(100)).length, 1);
  });

  it('unregister and expiry remove the binding from both indexes', () => {
    const g = given([registered(ALICE, 'ep1'), registered(ALICE, 'ep2')]);
    assert.deepEqual(g.when(unregistered(ALICE, 'ep1'), endpointExpired(ALICE, 'ep2', t(3600), t(3700))).keys, [[ALICE], [ALICE]]);
    assert.equal(g.state.byAor.has(ALICE), false);
    assert.equal(g.state.byEndpoint.size, 0);
    assert.deepEqual(g.when(unregistered(ALICE, 'ep1')).keys, [[]], 'removing a binding twice changes nothing');
  });

  it('deprovisioning removes every binding of the user and nobody else\'s', () => {
    const g = given([registered(ALICE, 'a1'), registered(ALICE, 'a2'), registered(BOB, 'b1')]);
    assert.deepEqual(g.when(deprovisioned(ALICE)).keys, [[ALICE]]);
    assert.deepEqual(g.reader.liveContacts(ALICE, t(10)), []);
    assert.equal(g.reader.bindingOf('a1'), undefined);
    assert.deepEqual([...g.state.byEndpoint.keys()], ['b1']);
  });

  it('normalises instants to UTC milliseconds, as the SQL tables give them back', () => {
    const { reader } = given([registered(ALICE, 'ep1', { at: '2026-01-05T10:00:00+01:00', expiresAt: '2026-01-05T11:00:00.5+01:00' })]);
    assert.deepEqual([reader.bindingOf('ep1')?.registeredAt, reader.bindingOf('ep1')?.expiresAt], [T0, '2026-01-05T10:00:00.500Z']);
  });
});
