import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IN_A_CALL } from '../../../../src/projections/presence/aggregate-presence.ts';
import type { AggregatedPresence } from '../../../../src/projections/presence/presence-inputs.ts';
import { parsePidf, type PidfDocument } from '../../../../src/realtime/presence/pidf.ts';
import { pidfPresenceOf, publicationStateOf, samePresence } from '../../../../src/realtime/presence/presence-document.ts';

function doc(partial: Partial<PidfDocument>): PidfDocument {
  return { entity: 'sip:alice@example.test', tuples: [], notes: [], activities: [], availability: undefined, ...partial };
}

const at = new Date('2026-03-04T05:06:07Z');

describe('presence documents', () => {
  describe('publicationStateOf (what a PUBLISH means)', () => {
    it('given an availability number, then that exact ladder code is published, with activity and note', () => {
      assert.deepEqual(publicationStateOf(doc({ availability: 6700, activities: ['meeting'], notes: ['design review'] })), {
        availability: 6700,
        activity: 'meeting',
        note: 'design review',
      });
    });

    it('given a busy or away activity and no number, then busy / away', () => {
      assert.equal(publicationStateOf(doc({ activities: ['on-the-phone'] })).availability, 'busy');
      assert.equal(publicationStateOf(doc({ activities: ['vacation'] })).availability, 'away');
    });

    it('given a reserved code below 3000, then it is ignored and the activity decides', () => {
      assert.equal(publicationStateOf(doc({ availability: 100, activities: ['busy'] })).availability, 'busy');
    });

    it('given only basic status, then open is available, all closed is offline, none is available', () => {
      const tuple = (basic: 'open' | 'closed' | undefined) => ({ id: 't', basic, contact: undefined, notes: [] });
      assert.equal(publicationStateOf(doc({ tuples: [tuple('closed'), tuple('open')] })).availability, 'available');
      assert.equal(publicationStateOf(doc({ tuples: [tuple('closed')] })).availability, 'offline');
      assert.equal(publicationStateOf(doc({ tuples: [tuple(undefined)] })).availability, 'available');
    });

    it('given a person note and a tuple note, then the person note wins; over-long notes are cut to the command limit', () => {
      const state = publicationStateOf(doc({ notes: ['person'], tuples: [{ id: 't', basic: 'open', contact: undefined, notes: ['tuple'] }] }));
      assert.equal(state.note, 'person');
      assert.equal(publicationStateOf(doc({ notes: ['x'.repeat(5000)] })).note?.length, 1024);
      assert.equal(publicationStateOf(doc({ tuples: [{ id: 't', basic: 'open', contact: undefined, notes: ['only tuple'] }] })).note, 'only tuple');
    });
  });

  describe('pidfPresenceOf (what a watcher is shown)', () => {
    const base: AggregatedPresence = { availability: 'available', code: 3500, activity: null, note: null, source: 'registration' };

    it('given a user in a call, then open, busy code and the RPID on-the-phone activity', () => {
      const shown = pidfPresenceOf('sip:alice@example.test', { ...base, availability: 'busy', code: 6500, activity: IN_A_CALL, source: 'call' }, at);
      assert.equal(shown.basic, 'open');
      assert.equal(shown.activity, 'on-the-phone');
      assert.equal(shown.availability, 6500);
    });

    it('given offline, then closed; a code past 18000 is shown as 18000 (the PIDF bound)', () => {
      const shown = pidfPresenceOf('sip:alice@example.test', { ...base, availability: 'offline', code: 18500, source: 'no_endpoint' }, at);
      assert.equal(shown.basic, 'closed');
      assert.equal(shown.availability, 18000);
      assert.equal(shown.activity, undefined);
    });

    it('given a free-text activity, then the availability names the RPID activity; an RPID token is kept as is', () => {
      assert.equal(pidfPresenceOf('sip:a@example.test', { ...base, availability: 'do_not_disturb', code: 9500, activity: 'Presenting' }, at).activity, 'busy');
      assert.equal(pidfPresenceOf('sip:a@example.test', { ...base, availability: 'be_right_back', code: 12500 }, at).activity, 'away');
      assert.equal(pidfPresenceOf('sip:a@example.test', { ...base, availability: 'busy', code: 6500, activity: 'meeting' }, at).activity, 'meeting');
    });

    it('when built, then the document parses back with the same entity, note and availability', async () => {
      const { buildPidf } = await import('../../../../src/realtime/presence/pidf.ts');
      const xml = buildPidf(pidfPresenceOf('sip:alice@example.test', { ...base, note: 'a < b & "c"' }, at));
      const parsed = parsePidf(xml);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.entity, 'sip:alice@example.test');
      assert.ok(parsed.value.notes.includes('a < b & "c"'), 'the note survives escaping');
      assert.equal(parsed.value.availability, 3500);
      assert.equal(parsed.value.tuples[0]?.contact, 'sip:alice@example.test');
    });
  });

  it('samePresence compares what is shown, not why', () => {
    const a: AggregatedPresence = { availability: 'busy', code: 6500, activity: null, note: null, source: 'machine' };
    assert.equal(samePresence(a, { ...a, source: 'user' }), true);
    assert.equal(samePresence(a, { ...a, note: 'x' }), false);
    assert.equal(samePresence(a, { ...a, code: 6600 }), false);
  });
});
