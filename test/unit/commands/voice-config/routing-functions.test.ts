import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeNumber } from '../../../../src/commands/voice-config/normalize-number.ts';
import { selectPstnRoute } from '../../../../src/commands/voice-config/select-pstn-route.ts';
import type { PstnRoute } from '../../../../src/events/domain/voice-config-events.ts';

const redmond = {
  rules: [
    { pattern: '^(\\d{4})$', translation: '+1425555$1', description: 'extension' },
    { pattern: '^9(\\d{10})$', translation: '+1$1', description: 'outside line' },
    { pattern: '^9011(\\d{7,15})$', translation: '+$1', description: 'international' },
    { pattern: '^9(\\d+)$', translation: '+9$1', description: 'never reached for 10 digits: rule 2 comes first' },
  ],
};

describe('normalizeNumber', () => {
  it('applies the first matching rule with its $1 capture', () => {
    assert.deepEqual(normalizeNumber(redmond, '2001'), { number: '+14255552001', rule: redmond.rules[0] });
    assert.deepEqual(normalizeNumber(redmond, '94255550100'), { number: '+14255550100', rule: redmond.rules[1] });
    assert.deepEqual(normalizeNumber(redmond, '9011442079460000'), { number: '+442079460000', rule: redmond.rules[2] });
  });

  it('lets an earlier rule win over a later one that also matches', () => {
    assert.equal(normalizeNumber(redmond, '91234567890').rule, redmond.rules[1]);
    assert.equal(normalizeNumber(redmond, '91234').rule, redmond.rules[3]);
  });

  it('passes a number no rule matches through unchanged', () => {
    assert.deepEqual(normalizeNumber(redmond, '+33140000000'), { number: '+33140000000', rule: null });
  });

  it('replaces only the matched part of an unanchored pattern, as String.prototype.replace does', () => {
    const plan = { rules: [{ pattern: '^0', translation: '+44', description: null }] };
    assert.equal(normalizeNumber(plan, '02079460000').number, '+442079460000');
  });
});

function route(name: string, priority: number, numberPattern: string, pstnUsages: string[], gateways: string[]): PstnRoute {
  return { name, description: null, priority, numberPattern, pstnUsages, gateways };
}

describe('selectPstnRoute', () => {
  const routes = [
    route('US-backup', 20, '^\\+1\\d{10}$', ['Long Distance'], ['gw-backup']),
    route('US', 10, '^\\+1\\d{10}$', ['Long Distance'], ['gw-1', 'gw-2']),
    route('Local-425', 5, '^\\+1425\\d{7}$', ['Local'], ['gw-local']),
    route('Intl', 10, '^\\+(?!1)\\d+$', ['International'], ['gw-intl']),
  ];
  const standard = { pstnUsages: ['Local', 'Long Distance'] };

  it('tries the policy’s usages in order: a local number takes the Local route', () => {
    const selected = selectPstnRoute(standard, routes, '+14255550100');
    assert.equal(selected?.route.name, 'Local-425');
    assert.equal(selected?.pstnUsage, 'Local');
    assert.deepEqual(selected?.gateways, ['gw-local']);
  });

  it('falls to the next usage, and within a usage takes routes by priority whatever their order in the list', () => {
    const selected = selectPstnRoute(standard, routes, '+12125550100');
    assert.equal(selected?.route.name, 'US');
    assert.equal(selected?.pstnUsage, 'Long Distance');
    assert.deepEqual(selected?.gateways, ['gw-1', 'gw-2']);
  });

  it('breaks priority ties by route name', () => {
    const tied = [route('b', 1, '.', ['U'], ['gw-b']), route('a', 1, '.', ['U'], ['gw-a'])];
    assert.equal(selectPstnRoute({ pstnUsages: ['U'] }, tied, '+1')?.route.name, 'a');
  });

  it('returns null when no route the policy may use matches (SIP 403)', () => {
    assert.equal(selectPstnRoute(standard, routes, '+442079460000'), null);
    assert.equal(selectPstnRoute({ pstnUsages: [] }, routes, '+14255550100'), null);
  });

  it('an international policy reaches the international route', () => {
    const selected = selectPstnRoute({ pstnUsages: ['Local', 'Long Distance', 'International'] }, routes, '+442079460000');
    assert.equal(selected?.route.name, 'Intl');
    assert.equal(selected?.pstnUsage, 'International');
  });
});
