import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionTable, type TableConnection } from '../../../../src/realtime/sip/transport/connection-table.ts';

type Conn = TableConnection & { readonly name: string };

function table(): ConnectionTable<Conn> {
  const t = new ConnectionTable<Conn>('tcp');
  t.bindLocal('192.0.2.10', 5060);
  return t;
}

describe('ConnectionTable (connection bookkeeping of the stream and WebSocket transports)', () => {
  it('identifies an accepted connection by the peer it reports, the dual-stack form normalised, with sequential flow ids', () => {
    const t = table();
    const a = t.identify(undefined, undefined, { remoteAddress: '::ffff:198.51.100.7', remotePort: 40000 });
    const b = t.identify('Host.Example', 5061, undefined);
    assert.deepEqual(a, {
      flowId: 'tcp:1:198.51.100.7:40000',
      remoteKey: '198.51.100.7|40000',
      source: { protocol: 'tcp', address: '198.51.100.7', port: 40000, flowId: 'tcp:1:198.51.100.7:40000', localAddress: '192.0.2.10', localPort: 5060 },
    });
    assert.equal(b.flowId, 'tcp:2:Host.Example:5061', 'a dialled address is kept as given');
    assert.equal(b.remoteKey, 'host.example|5061');
  });

  it('finds by flow first, then by remote address and port; a newer connection to a remote keeps its index when the older closes', () => {
    const t = table();
    const older: Conn = { ...t.identify('198.51.100.7', 5060, undefined), name: 'older' };
    const newer: Conn = { ...t.identify(undefined, undefined, { remoteAddress: '::ffff:198.51.100.7', remotePort: 5060 }), name: 'newer' };
    t.add(older);
    t.add(newer);
    assert.equal(t.size, 2);
    assert.equal(t.find({ address: '198.51.100.7', port: 5060, flowId: older.flowId })?.name, 'older');
    assert.equal(t.find({ address: '198.51.100.7', port: 5060 })?.name, 'newer');
    assert.equal(t.find({ address: '198.51.100.7', port: 5060, flowId: 'tcp:99:gone:1' })?.name, 'newer', 'a closed flow falls back to the remote');
    t.remove(older);
    assert.equal(t.has(older.flowId), false);
    assert.equal(t.find({ address: '198.51.100.7', port: 5060 })?.name, 'newer');
    t.remove(newer);
    assert.equal(t.find({ address: '198.51.100.7', port: 5060 }), undefined);
    assert.deepEqual([...t.connections()], []);
  });

  it('shares one connection attempt per remote while it is under way, and allows a new one after it settles', async () => {
    const t = table();
    let opened = 0;
    const open = async (): Promise<Conn> => {
      opened++;
      await new Promise((resolve) => setImmediate(resolve));
      return { ...t.identify('198.51.100.7', 5060, undefined), name: `attempt-${opened}` };
    };
    const [first, second] = await Promise.all([t.connectOnce('198.51.100.7', 5060, open), t.connectOnce('::ffff:198.51.100.7', 5060, open)]);
    assert.equal(opened, 1);
    assert.equal(first, second);
    const failing = () => Promise.reject(new Error('refused'));
    await assert.rejects(t.connectOnce('198.51.100.7', 5060, failing), /refused/);
    assert.equal((await t.connectOnce('198.51.100.7', 5060, open)).name, 'attempt-2', 'a settled attempt is not reused');
  });
});
