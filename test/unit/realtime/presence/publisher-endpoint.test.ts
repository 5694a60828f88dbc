import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Binding } from '../../../../src/projections/location/binding.ts';
import type { FlowRef } from '../../../../src/realtime/engine/signaling-engine.ts';
import { publisherEndpoint, sourceAddress } from '../../../../src/realtime/presence/publisher-endpoint.ts';
import { parseContacts, type ContactValue } from '../../../../src/realtime/sip/name-addr.ts';

function binding(endpointId: string, o: Partial<Binding> = {}): Binding {
  return {
    endpointId,
    aor: 'sip:alice@example.test',
    contact: `sip:alice@192.0.2.1:${endpointId.length + 5060}`,
    transport: 'udp',
    sourceAddress: '192.0.2.1:5060',
    instanceId: null,
    userAgent: null,
    expiresAt: '2026-01-01T01:00:00.000Z',
    registeredAt: '2026-01-01T00:00:00.000Z',
    ...o,
  };
}

function contacts(...values: string[]): ContactValue[] {
  const parsed = parseContacts(values);
  assert.ok(parsed.ok);
  return parsed.value;
}

const udp = (address: string, port: number): FlowRef => ({ transport: 'udp', address, port, id: `udp:${address}:${port}` });

describe('publisherEndpoint', () => {
  const live = [
    binding('e1', { contact: 'sip:alice@192.0.2.1:5060', sourceAddress: '192.0.2.1:5060' }),
    binding('e2', { contact: 'sip:alice@192.0.2.2:5060', sourceAddress: '192.0.2.2:5060', instanceId: '<urn:uuid:0000>' }),
    binding('e3', { contact: 'sip:alice@192.0.2.3:5060;transport=tcp', sourceAddress: '192.0.2.3:40000', transport: 'tcp' }),
  ];

  it('given a Contact with +sip.instance, then the binding with that instance wins over every other clue', () => {
    assert.equal(publisherEndpoint(live, contacts('<sip:alice@192.0.2.1:5060>;+sip.instance="<urn:uuid:0000>"'), udp('192.0.2.1', 5060), undefined), 'e2');
  });

  it('given a Contact URI of a binding, then that binding', () => {
    assert.equal(publisherEndpoint(live, contacts('<sip:alice@192.0.2.2:5060>'), udp('198.51.100.9', 1), undefined), 'e2');
  });

  it('given no Contact, then the binding registered over the same flow, else from the same source address and transport', () => {
    const tcp: FlowRef = { transport: 'tcp', address: '192.0.2.3', port: 40000, id: 'tcp-7' };
    assert.equal(publisherEndpoint(live, [], tcp, { flowOf: (id) => (id === 'e3' ? { flowId: 'tcp-7' } : undefined) }), 'e3');
    assert.equal(publisherEndpoint(live, [], tcp, undefined), 'e3', 'source address + transport');
    assert.equal(publisherEndpoint(live, [], udp('192.0.2.1', 5060), undefined), 'e1');
    assert.equal(publisherEndpoint(live, [], { ...tcp, transport: 'udp' }, undefined), undefined, 'same address, other transport: no');
  });

  it('given nothing that matches, then undefined (never a guess)', () => {
    assert.equal(publisherEndpoint(live, contacts('<sip:alice@203.0.113.1>'), udp('203.0.113.1', 5060), undefined), undefined);
    assert.equal(publisherEndpoint([binding('only')], [], udp('203.0.113.1', 5060), undefined), undefined, 'even with one binding');
  });

  it('sourceAddress writes what the registrar writes', () => {
    assert.equal(sourceAddress('::ffff:192.0.2.1', 5060), '192.0.2.1:5060');
    assert.equal(sourceAddress('2001:db8::1', 5060), '[2001:db8::1]:5060');
  });
});
