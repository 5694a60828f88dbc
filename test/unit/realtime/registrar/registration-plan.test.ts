import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRegistration, type ExpiryLimits } from '../../../../src/realtime/registrar/registration-plan.ts';
import { Headers } from '../../../../src/realtime/sip/message.ts';
import { parseContacts } from '../../../../src/realtime/sip/name-addr.ts';

const LIMITS: ExpiryLimits = { minExpires: 60, defaultExpires: 3600, maxExpires: 7200 };

function plan(contacts: string[], expires?: string) {
  const parsed = parseContacts(contacts);
  assert.ok(parsed.ok);
  const headers = Headers.of(expires === undefined ? [] : [['Expires', expires]]);
  return planRegistration(headers, parsed.value, LIMITS);
}

describe('planRegistration', () => {
  it('reads no Contact as a query and Contact * with Expires: 0 as remove-all', () => {
    assert.deepEqual(plan([]), { ok: true, value: { kind: 'query' } });
    assert.deepEqual(plan(['*'], '0'), { ok: true, value: { kind: 'remove-all' } });
  });

  it('refuses * without Expires: 0 (400)', () => {
    assert.equal(plan(['*']).ok, false);
    const r = plan(['*'], '3600');
    assert.equal(r.ok ? 0 : r.error.status, 400);
  });

  it('takes the expiry from the contact, then the Expires header, then the default; longer than the maximum is shortened', () => {
    const r = plan(['<sip:a@h1>;expires=120, <sip:a@h2>', '<sip:a@h3>;expires=99999'], '600');
    assert.ok(r.ok && r.value.kind === 'update');
    assert.deepEqual(r.value.changes.map((c) => [c.contact, c.expires]), [['sip:a@h1', 120], ['sip:a@h2', 600], ['sip:a@h3', 7200]]);
    const d = plan(['<sip:a@h1;transport=tcp>']);
    assert.ok(d.ok && d.value.kind === 'update');
    assert.deepEqual(d.value.changes.map((c) => [c.contact, c.expires]), [['sip:a@h1;transport=tcp', 3600]]);
  });

  it('answers a non-zero expiry under the minimum with 423 and Min-Expires; 0 is fine', () => {
    const r = plan(['<sip:a@h1>;expires=30']);
    assert.deepEqual(r, { ok: false, error: { status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', '60']] } });
    const zero = plan(['<sip:a@h1>;expires=0']);
    assert.ok(zero.ok && zero.value.kind === 'update' && zero.value.changes[0]?.expires === 0);
  });

  it('keeps +sip.instance unquoted, reg-id only with an instance, and q', () => {
    const r = plan(['<sip:a@h1>;+sip.instance="<urn:uuid:1234>";reg-id=2;q=0.8', '<sip:a@h2>;reg-id=1']);
    assert.ok(r.ok && r.value.kind === 'update');
    assert.deepEqual(r.value.changes.map((c) => [c.instanceId, c.regId, c.q]), [['<urn:uuid:1234>', 2, '0.8'], [undefined, undefined, undefined]]);
  });

  it('refuses malformed values with a 400 naming them', () => {
    const reasons = [
      plan(['<sip:a@h1>'], 'soon'),
      plan(['<sip:a@h1>;expires=later']),
      plan(['<sip:a@h1>;q=1.5']),
      plan(['<sip:a@h1>;+sip.instance']),
      plan(['<sip:a@h1>;+sip.instance="<x>";reg-id=0']),
      plan(['<tel:+14255550100>']),
    ].map((r) => (r.ok ? 'accepted' : `${r.error.status} ${r.error.reason}`));
    assert.deepEqual(reasons, [
      '400 Malformed Expires Header',
      '400 Malformed Contact expires Parameter',
      '400 Malformed Contact q Parameter',
      '400 Malformed +sip.instance Parameter',
      '400 Malformed reg-id Parameter',
      '400 Contact Must Be A sip: Or sips: URI',
    ]);
  });
});
