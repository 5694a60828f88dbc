import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Binding } from '../../../../src/projections/location/binding.ts';
import { contactTargets, parseHostPort } from '../../../../src/realtime/im/contact-targets.ts';
import { FlowTable } from '../../../../src/realtime/registrar/flow-table.ts';

function binding(endpointId: string, transport: Binding['transport'], sourceAddress: string): Binding {
  return {
    endpointId,
    aor: 'sip:bob@example.test',
    contact: `sip:bob@10.0.0.5:5060;transport=${transport}`,
    transport,
    sourceAddress,
    instanceId: null,
    userAgent: null,
    expiresAt: '2026-03-02T00:00:00.000Z',
    registeredAt: '2026-03-01T00:00:00.000Z',
  };
}

describe('contactTargets', () => {
  it('prefers the flow the REGISTER came over, then the UDP source address, then the Contact itself', () => {
    const flows = new FlowTable();
    flows.record({ endpointId: 'tcp-1', aor: 'sip:bob@example.test', flowId: 'tcp:7', transport: 'tcp', regId: undefined, q: undefined });
    const targets = contactTargets(
      [binding('tcp-1', 'tcp', '198.51.100.7:40001'), binding('udp-1', 'udp', '198.51.100.7:5060'), binding('tcp-2', 'tcp', '198.51.100.8:40002')],
      flows,
    );
    assert.deepEqual(targets, [
      {
        uri: 'sip:bob@10.0.0.5:5060;transport=tcp',
        nextHop: { kind: 'flow', flow: { transport: 'tcp', address: '198.51.100.7', port: 40001, id: 'tcp:7' } },
      },
      { uri: 'sip:bob@10.0.0.5:5060;transport=udp', nextHop: { kind: 'address', transport: 'udp', address: '198.51.100.7', port: 5060 } },
      { uri: 'sip:bob@10.0.0.5:5060;transport=tcp' },
    ]);
  });

  it('parses the registrar\'s source addresses, IPv6 included', () => {
    assert.deepEqual(parseHostPort('[2001:db8::1]:5061'), { address: '2001:db8::1', port: 5061 });
    assert.deepEqual(parseHostPort('192.0.2.1:5060'), { address: '192.0.2.1', port: 5060 });
    assert.equal(parseHostPort('192.0.2.1'), undefined);
    assert.equal(parseHostPort('192.0.2.1:0'), undefined);
  });
});
