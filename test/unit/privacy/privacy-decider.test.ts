import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PrivacyCommand } from '../../../src/commands/privacy/privacy-commands.ts';
import { privacyDecider, type PrivacyState } from '../../../src/commands/privacy/privacy-decider.ts';
import { PrivacyRefusal } from '../../../src/commands/privacy/privacy-refusal.ts';

const ALICE = 'sip:alice@example.test';
const NOW = '2026-11-26T09:00:00.000Z';
const KEY = '6f1c0a2e-3333-4000-8000-000000000001';
const context = { now: () => NOW, newId: () => 'id' };

function run(commands: readonly PrivacyCommand[]): PrivacyState {
  return commands.reduce((state, command) => privacyDecider.decide(command, state, context).reduce(privacyDecider.evolve, state), privacyDecider.initialState());
}

const hold: PrivacyCommand = { type: 'PlaceLegalHold', data: { sipUri: ALICE, reason: 'case 17' } };
const release: PrivacyCommand = { type: 'ReleaseLegalHold', data: { sipUri: ALICE, reason: 'closed' } };
const forget = (keyIds: string[]): PrivacyCommand => ({ type: 'ForgetUser', data: { sipUri: ALICE, keyIds } });

describe('privacy decider', () => {
  it('given no hold, when forgetting, then user_forgotten with the keys to destroy', () => {
    assert.deepEqual(privacyDecider.decide(forget([KEY]), privacyDecider.initialState(), context), [
      { type: 'privacy.user_forgotten.v1', data: { sipUri: ALICE, keyIds: [KEY], at: NOW } },
    ]);
  });

  it('given a hold, when forgetting, then legal_hold (409) naming the hold', () => {
    const held = run([hold]);
    assert.throws(
      () => privacyDecider.decide(forget([KEY]), held, context),
      (e: unknown) => e instanceof PrivacyRefusal && e.code === 'legal_hold' && e.httpStatus === 409 && e.message.includes('case 17'),
    );
  });

  it('given a hold placed then released, when forgetting, then it is allowed', () => {
    assert.equal(privacyDecider.decide(forget([]), run([hold, release]), context).length, 1);
  });

  it('given a hold, when placed again, then nothing (the first hold stands); given none, when released, then not_on_hold', () => {
    assert.deepEqual(privacyDecider.decide(hold, run([hold]), context), []);
    assert.equal(run([hold, hold]).hold?.reason, 'case 17');
    assert.throws(() => privacyDecider.decide(release, privacyDecider.initialState(), context), (e: unknown) => e instanceof PrivacyRefusal && e.code === 'not_on_hold');
  });

  it('given a forgotten user with no key made since, when forgotten again, then nothing; with a new key, then a new event', () => {
    const forgotten = run([forget([KEY])]);
    assert.equal(forgotten.forgottenAt, NOW);
    assert.deepEqual(privacyDecider.decide(forget([]), forgotten, context), []);
    assert.equal(privacyDecider.decide(forget(['6f1c0a2e-3333-4000-8000-000000000002']), forgotten, context).length, 1);
  });
});
