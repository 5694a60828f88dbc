import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue } from '../../../../src/events/domain/domain-catalogue.ts';
import { ActiveCallRowSchema } from '../../../../src/projections/active-calls/active-call-row.ts';
import { activeCallsProjection } from '../../../../src/projections/active-calls/active-calls-projection.ts';
import { listActiveCalls } from '../../../../src/projections/active-calls/list-active-calls.ts';

const base = {
  sip_call_id: 'c-1',
  state: 'ringing',
  caller: 'sip:alice@example.test',
  dialled_string: '5550100',
  normalized_number: '+14255550100',
  target: '+14255550100',
  route_kind: null,
  contacts: null,
  pstn_route: null,
  gateway: null,
  voice_policy: null,
  pstn_usage: null,
  answered_contact: null,
  park_orbit: null,
  started_at: new Date('2024-05-01T09:00:00.000Z'),
  answered_at: null,
  updated_at: new Date('2024-05-01T09:00:01.000Z'),
};

describe('active call rows', () => {
  it('handles every call event type and nothing else', () => {
    const calls = domainCatalogue.types.filter((t) => t.startsWith('call.'));
    assert.deepEqual([...(activeCallsProjection.canHandle ?? [])].sort(), calls.sort());
  });

  it('maps a PSTN route and instants', () => {
    const call = ActiveCallRowSchema.parse({
      ...base,
      route_kind: 'pstn',
      pstn_route: 'Local',
      gateway: 'gw1',
      voice_policy: 'Standard',
      pstn_usage: 'Local',
    });
    assert.deepEqual(call.route, { kind: 'pstn', routeName: 'Local', gateway: 'gw1', voicePolicy: 'Standard', pstnUsage: 'Local' });
    assert.equal(call.startedAt, '2024-05-01T09:00:00.000Z');
    assert.equal(call.answeredAt, null);
  });

  it('maps a user route, and no route while the call waits for one', () => {
    assert.deepEqual(ActiveCallRowSchema.parse({ ...base, route_kind: 'user', contacts: ['sip:bob@10.0.0.2'] }).route, {
      kind: 'user',
      contacts: ['sip:bob@10.0.0.2'],
    });
    assert.equal(ActiveCallRowSchema.parse(base).route, null);
  });

  it('refuses a half-written route and an unknown state', () => {
    assert.throws(() => ActiveCallRowSchema.parse({ ...base, route_kind: 'pstn', pstn_route: 'Local' }), /incomplete pstn route/);
    assert.throws(() => ActiveCallRowSchema.parse({ ...base, state: 'ended' }));
  });

  it('listActiveCalls parses what the client returns', async () => {
    const client = { query: async <R extends object>() => ({ rows: [base] as unknown as R[] }) };
    assert.deepEqual((await listActiveCalls(client)).map((c) => [c.sipCallId, c.state]), [['c-1', 'ringing']]);
  });
});
