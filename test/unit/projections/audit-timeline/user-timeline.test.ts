import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZodError } from 'zod';
import { userTimeline } from '../../../../src/projections/audit-timeline/user-timeline.ts';

/** A client that answers every query with `rows` and records what it was asked. */
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

const row = (position: unknown) => ({
  position,
  occurred_at: new Date('2024-05-01T09:00:00.000Z'),
  event_type: 'presence.published.v1',
  stream_id: 'user-alice@example.test',
  summary: { availability: 'busy', as: ['user'] },
});

describe('userTimeline', () => {
  it('coerces int8 positions from PGlite (number), pg (bigint) and text to bigint', async () => {
    const client = fakeClient([row(7), row(8n), row('9')]);
    const page = await userTimeline(client, 'sip:alice@example.test', { after: 6n, limit: 3 });
    assert.deepEqual(page.items.map((i) => i.position), [7n, 8n, 9n]);
    assert.equal(page.next, 9n, 'a full page points at its last position');
    assert.deepEqual(client.calls[0]?.params, ['sip:alice@example.test', 6n, 3]);
    assert.deepEqual(page.items[0], {
      position: 7n,
      occurredAt: '2024-05-01T09:00:00.000Z',
      eventType: 'presence.published.v1',
      streamId: 'user-alice@example.test',
      summary: { availability: 'busy', as: ['user'] },
    });
  });

  it('ends paging on a short page and starts after position 0 by default', async () => {
    const client = fakeClient([row(1)]);
    const page = await userTimeline(client, 'sip:alice@example.test', { limit: 5 });
    assert.equal(page.next, null);
    assert.equal(client.calls[0]?.params[1], 0n);
  });

  it('refuses bad options before running any SQL', async () => {
    const client = fakeClient([]);
    await assert.rejects(userTimeline(client, 'sip:a@b', { limit: 1001 }), ZodError);
    await assert.rejects(userTimeline(client, 'sip:a@b', { limit: 1.5 }), ZodError);
    assert.equal(client.calls.length, 0);
  });

  it('rejects a row that is not a timeline row', async () => {
    await assert.rejects(userTimeline(fakeClient([row(-1)]), 'sip:a@b', { limit: 5 }));
    await assert.rejects(userTimeline(fakeClient([{ ...row(1), summary: 'text' }]), 'sip:a@b', { limit: 5 }), ZodError);
  });
});
