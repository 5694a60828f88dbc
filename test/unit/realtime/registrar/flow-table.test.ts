import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowTable, type BindingFlow } from '../../../../src/realtime/registrar/flow-table.ts';
import type { FlowId } from '../../../../src/realtime/sip/transport/transport.ts';

const flow = (endpointId: string, aor: string): BindingFlow => ({
  endpointId,
  aor,
  flowId: `udp:127.0.0.1:${endpointId}` as FlowId,
  transport: 'udp',
  regId: undefined,
  q: undefined,
});

describe('FlowTable', () => {
  it('retain drops only the AOR’s flows that are no longer live, never another AOR’s', () => {
    const table = new FlowTable();
    table.record(flow('a1', 'sip:a@x'));
    table.record(flow('a2', 'sip:a@x'));
    table.record(flow('b1', 'sip:b@x'));
    table.retain('sip:a@x', new Set(['a2']));
    assert.equal(table.flowOf('a1'), undefined);
    assert.equal(table.flowOf('a2')?.aor, 'sip:a@x');
    assert.equal(table.flowOf('b1')?.aor, 'sip:b@x');
    assert.equal(table.size, 2);
    table.retain('sip:a@x', new Set());
    table.retain('sip:nobody@x', new Set());
    assert.equal(table.size, 1);
  });

  it('an endpoint recorded again under another AOR is retained by the new one only', () => {
    const table = new FlowTable();
    table.record(flow('e1', 'sip:a@x'));
    table.record(flow('e1', 'sip:b@x'));
    table.retain('sip:a@x', new Set());
    assert.equal(table.flowOf('e1')?.aor, 'sip:b@x');
    table.retain('sip:b@x', new Set());
    assert.equal(table.flowOf('e1'), undefined);
  });

  it('forget removes the flow and its index entry', () => {
    const table = new FlowTable();
    table.record(flow('e1', 'sip:a@x'));
    table.forget('e1');
    table.forget('e1');
    assert.equal(table.size, 0);
    table.record(flow('e2', 'sip:a@x'));
    table.retain('sip:a@x', new Set(['e2']));
    assert.equal(table.flowOf('e2')?.aor, 'sip:a@x');
  });
});
