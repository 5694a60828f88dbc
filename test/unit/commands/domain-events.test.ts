import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callStreamId, userStreamId, voiceConfigStreamId } from '../../../src/commands/stream-ids.ts';
import { AVAILABILITY_CODES, availabilityOfCode } from '../../../src/events/domain/availability.ts';
import { domainCatalogue } from '../../../src/events/domain/domain-catalogue.ts';
import { InvalidEventError, InvalidStreamNameError } from '../../../src/events/errors.ts';
import { T0 } from './spec.ts';

describe('domain catalogue', () => {
  it('names every event <area>.<snake_case>.v1 in one of the domain areas', () => {
    const areas = new Set(['directory', 'endpoint', 'presence', 'voice', 'im', 'conference', 'call', 'privacy']);
    assert.ok(domainCatalogue.types.length >= 50);
    for (const type of domainCatalogue.types) {
      assert.match(type, /^[a-z]+\.[a-z][a-z0-9_]*\.v1$/);
      assert.ok(areas.has(type.split('.')[0]!), `${type} is not in a known area`);
    }
  });

  it('rejects unknown fields and bad values instead of storing them', () => {
    const ended = { sessionId: 's1', endedBy: null, reason: 'BYE', at: T0 };
    assert.doesNotThrow(() => domainCatalogue.encode('im.session_ended.v1', ended));
    assert.throws(() => domainCatalogue.encode('im.session_ended.v1', { ...ended, extra: 1 }), InvalidEventError);
    assert.throws(() => domainCatalogue.encode('im.session_ended.v1', { ...ended, at: 'yesterday' }), InvalidEventError);
  });

  it('keeps a message body exactly when it was archived', () => {
    const sent = {
      sessionId: 's1',
      messageId: 'm1',
      sender: 'sip:alice@example.test',
      recipients: ['sip:bob@example.test'],
      contentType: 'text/plain',
      body: 'hello',
      archived: false,
      at: T0,
    };
    assert.throws(() => domainCatalogue.encode('im.message_sent.v1', sent), /body must be present exactly when archived/);
    assert.doesNotThrow(() => domainCatalogue.encode('im.message_sent.v1', { ...sent, archived: true }));
  });

  it('only accepts canonical AORs: lower-case host, no parameters', () => {
    const data = { sipUri: 'sip:alice@Example.test', reason: null, at: T0 };
    assert.throws(() => domainCatalogue.encode('directory.user_deprovisioned.v1', data), InvalidEventError);
    assert.throws(() => domainCatalogue.encode('directory.user_deprovisioned.v1', { ...data, sipUri: 'sip:alice@example.test;transport=tls' }), InvalidEventError);
  });
});

describe('stream ids', () => {
  it('names user, call and voice-config streams', () => {
    assert.equal(userStreamId('sip:alice@example.test'), 'user-alice@example.test');
    assert.equal(callStreamId('a84b4c76e66710@pc33.example.test'), 'call-a84b4c76e66710@pc33.example.test');
    assert.equal(voiceConfigStreamId('dialplan', 'Redmond'), 'voiceconfig-dialplan-Redmond');
  });

  it('refuses a Call-ID that cannot name a stream', () => {
    assert.throws(() => callStreamId('has space@host'), InvalidStreamNameError);
    assert.throws(() => callStreamId('x'.repeat(401)), InvalidStreamNameError);
  });
});

describe('availability ladder', () => {
  it('maps OCS codes to states by band', () => {
    const cases: [number, string][] = [
      [3000, 'available'], [4499, 'available'], [4500, 'away'], [6500, 'busy'], [8999, 'busy'],
      [9000, 'do_not_disturb'], [12000, 'be_right_back'], [15000, 'away'], [18000, 'offline'], [18500, 'offline'],
    ];
    for (const [code, state] of cases) assert.equal(availabilityOfCode(code), state, `code ${code}`);
    assert.throws(() => availabilityOfCode(2999), RangeError);
  });

  it('gives each named state a code in its own band', () => {
    for (const [state, code] of Object.entries(AVAILABILITY_CODES)) assert.equal(availabilityOfCode(code), state);
  });
});
