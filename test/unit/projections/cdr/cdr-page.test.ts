import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZodError } from 'zod';
import { domainCatalogue } from '../../../../src/events/domain/domain-catalogue.ts';
import { cdrPage, type CdrPageOptions } from '../../../../src/projections/cdr/cdr-page.ts';
import { cdrProjection } from '../../../../src/projections/cdr/cdr-projection.ts';

function fakeClient(rows: Record<string, unknown>[]) {
  const calls: { text: string; params: readonly unknown[] }[] = [];
  return {
    calls,
    async query<R extends object>(text: string, params: readonly unknown[] = []) {
      calls.push({ text, params });
      return { rows: rows as R[] };
    },
  };
}

const imRow = (id: string, endedAt: string) => ({
  session_id: id,
  initiator: 'sip:alice@example.test',
  participants: ['sip:alice@example.test', 'sip:bob@example.test'],
  participant_count: 2,
  messages_sent: 3,
  messages_delivered: 2,
  messages_failed: 1,
  started_at: new Date('2024-05-01T09:00:00.000Z'),
  ended_at: new Date(endedAt),
  ended_by: null,
  end_reason: 'bye',
});

describe('cdrPage', () => {
  it('reads only event types of the catalogue', () => {
    for (const type of cdrProjection.canHandle ?? []) assert.ok(domainCatalogue.has(type), type);
  });

  it('reads the table of the kind asked for, from the cursor, and points at the last record of a full page', async () => {
    const client = fakeClient([imRow('s-1', '2024-05-01T10:00:00.000Z'), imRow('s-2', '2024-05-01T10:00:00.000Z')]);
    const page = await cdrPage(client, { kind: 'im', after: { endedAt: '2024-05-01T09:30:00.000Z', id: 's-0' }, limit: 2 });
    assert.match(client.calls[0]?.text ?? '', /FROM cdr_im_sessions/);
    assert.deepEqual(client.calls[0]?.params, ['2024-05-01T09:30:00.000Z', 's-0', 2]);
    assert.equal(page.kind, 'im');
    assert.deepEqual(page.items.map((i) => [i.id, i.messagesSent, i.messagesDelivered, i.messagesFailed]), [
      ['s-1', 3, 2, 1],
      ['s-2', 3, 2, 1],
    ]);
    assert.deepEqual(page.next, { endedAt: '2024-05-01T10:00:00.000Z', id: 's-2' });
  });

  it('starts from the first record without a cursor; a short page is the last', async () => {
    const client = fakeClient([imRow('s-1', '2024-05-01T10:00:00.000Z')]);
    const page = await cdrPage(client, { kind: 'im', limit: 5 });
    assert.deepEqual(client.calls[0]?.params, [null, null, 5]);
    assert.equal(page.next, null);
  });

  it('refuses bad options before running any SQL', async () => {
    const client = fakeClient([]);
    const bad = [
      { kind: 'fax', limit: 5 },
      { kind: 'call', limit: 0 },
      { kind: 'call', limit: 5, after: { endedAt: '2024-05-01', id: 'x' } },
      { kind: 'call', limit: 5, after: { endedAt: '2024-05-01T10:00:00Z', id: '' } },
    ] as unknown as CdrPageOptions[];
    for (const options of bad) await assert.rejects(cdrPage(client, options), ZodError);
    assert.equal(client.calls.length, 0);
  });

  it('refuses an unfinished record (the SQL must never return one)', async () => {
    await assert.rejects(cdrPage(fakeClient([{ ...imRow('s-1', '2024-05-01T10:00:00.000Z'), ended_at: null }]), { kind: 'im', limit: 5 }), ZodError);
  });
});
