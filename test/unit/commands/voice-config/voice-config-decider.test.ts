import { describe, it } from 'node:test';
import { DomainError } from '../../../../src/commands/domain-error.ts';
import type { VoiceConfigCommand } from '../../../../src/commands/voice-config/voice-config-commands.ts';
import { voiceConfigDecider } from '../../../../src/commands/voice-config/voice-config-decider.ts';
import type { VoiceConfigEvent } from '../../../../src/events/domain/voice-config-events.ts';
import { specFor, T0 } from '../spec.ts';

const { given } = specFor(voiceConfigDecider);

const rules = [
  { pattern: '^(\\d{4})$', translation: '+1425555$1', description: '4-digit extension' },
  { pattern: '^9(\\d{10})$', translation: '+1$1', description: null },
];
const dialPlanDefined: VoiceConfigEvent = {
  type: 'voice.dial_plan_defined.v1',
  data: { name: 'Redmond', description: null, rules, at: T0 },
};

function dialPlanWith(translation: string, pattern = '^(\\d{4})$'): VoiceConfigCommand {
  return { type: 'DefineDialPlan', data: { name: 'Redmond', rules: [{ pattern, translation }] } };
}

describe('voice configuration', () => {
  describe('dial plans', () => {
    it('defines a dial plan with ordered rules; absent descriptions become null', () => {
      given([])
        .when({ type: 'DefineDialPlan', data: { name: 'Redmond', rules: [rules[0]!, { pattern: '^9(\\d{10})$', translation: '+1$1' }] } })
        .then([dialPlanDefined]);
    });

    it('refuses a pattern that is not a JavaScript regular expression', () => {
      given([]).when(dialPlanWith('+1$1', '^(\\d{4}$')).thenThrows(DomainError, /^invalid_regex: dial plan Redmond rule 1: .*not a valid regular expression/);
      given([]).when(dialPlanWith('x', '[')).thenThrows(DomainError, /^invalid_regex:/);
    });

    it('refuses a translation that refers to a capture group the pattern does not have', () => {
      given([]).when(dialPlanWith('+1$2')).thenThrows(DomainError, /^invalid_regex: .*refers to \$2, but .* has 1 capture group/);
      given([]).when(dialPlanWith('+1$0')).thenThrows(DomainError, /^invalid_regex: .*refers to \$0/);
      given([]).when(dialPlanWith('+1$1', '^\\d{4}$')).thenThrows(DomainError, /^invalid_regex: .*has 0 capture group/);
      given([]).when(dialPlanWith('$<ext>', '^(?<num>\\d{4})$')).thenThrows(DomainError, /^invalid_regex: .*\$<ext>/);
    });

    it('accepts the replacement forms String.prototype.replace knows', () => {
      const ok = (translation: string, pattern: string) =>
        given([])
          .when({ type: 'DefineDialPlan', data: { name: 'P', rules: [{ pattern, translation }] } })
          .then([{ type: 'voice.dial_plan_defined.v1', data: { name: 'P', description: null, rules: [{ pattern, translation, description: null }], at: T0 } }]);
      ok('+1425555$<ext>', '^(?<ext>\\d{4})$');
      ok('$$1 $& $` $\'', '^\\d+$');
      // `$10` with a single group is `$1` followed by a literal 0, as replace() reads it.
      ok('+$10', '^(\\d)$');
      ok('+$10', '^(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)$');
    });

    it('refuses to define a dial plan twice, and to update or remove one that does not exist', () => {
      given([dialPlanDefined]).when(dialPlanWith('+1$1')).thenThrows(DomainError, /^already_defined:/);
      given([]).when({ type: 'UpdateDialPlan', data: { name: 'Redmond', rules } }).thenThrows(DomainError, /^not_defined:/);
      given([]).when({ type: 'RemoveDialPlan', data: { name: 'Redmond' } }).thenThrows(DomainError, /^not_defined:/);
    });

    it('updates (checking the new rules), writes nothing for an identical update, and removes', () => {
      const newRules = [{ pattern: '^(\\d{5})$', translation: '+142555$1', description: null }];
      given([dialPlanDefined])
        .when({ type: 'UpdateDialPlan', data: { name: 'Redmond', rules: newRules } })
        .then([{ type: 'voice.dial_plan_updated.v1', data: { name: 'Redmond', description: null, rules: newRules, at: T0 } }]);
      given([dialPlanDefined]).when({ type: 'UpdateDialPlan', data: { name: 'Redmond', rules } }).then([]);
      given([dialPlanDefined])
        .when({ type: 'UpdateDialPlan', data: { name: 'Redmond', rules: [{ pattern: '^(\\d{5})$', translation: '+1$3' }] } })
        .thenThrows(DomainError, /^invalid_regex:/);
      given([dialPlanDefined])
        .when({ type: 'RemoveDialPlan', data: { name: 'Redmond' } })
        .then([{ type: 'voice.dial_plan_removed.v1', data: { name: 'Redmond', at: T0 } }]);
    });

    it('allows a removed dial plan to be defined again', () => {
      const removed: VoiceConfigEvent = { type: 'voice.dial_plan_removed.v1', data: { name: 'Redmond', at: T0 } };
      given([dialPlanDefined, removed]).when({ type: 'DefineDialPlan', data: { name: 'Redmond', rules } }).then([dialPlanDefined]);
    });

    it('refuses a command meant for another item’s stream', () => {
      given([dialPlanDefined]).when({ type: 'RemoveDialPlan', data: { name: 'Paris' } }).thenThrows(DomainError, /^wrong_stream:/);
      given([dialPlanDefined])
        .when({ type: 'DefineGateway', data: { name: 'Redmond', address: 'gw.example.test:5067', transport: 'tls' } })
        .thenThrows(DomainError, /^wrong_stream:/);
    });
  });

  describe('voice policies', () => {
    const features = { forwarding: true, simultaneousRing: true, delegation: false, teamCall: false, callPark: true };

    it('defines, updates and removes a policy with ordered usages', () => {
      const defined: VoiceConfigEvent = {
        type: 'voice.policy_defined.v1',
        data: { name: 'Standard', description: 'Most staff', pstnUsages: ['Local', 'Long Distance'], features, at: T0 },
      };
      given([])
        .when({ type: 'DefineVoicePolicy', data: { name: 'Standard', description: 'Most staff', pstnUsages: ['Local', 'Long Distance'], features } })
        .then([defined]);
      given([defined])
        .when({ type: 'UpdateVoicePolicy', data: { name: 'Standard', pstnUsages: ['Local'], features } })
        .then([{ type: 'voice.policy_updated.v1', data: { name: 'Standard', description: null, pstnUsages: ['Local'], features, at: T0 } }]);
      given([defined]).when({ type: 'RemoveVoicePolicy', data: { name: 'Standard' } }).then([{ type: 'voice.policy_removed.v1', data: { name: 'Standard', at: T0 } }]);
    });
  });

  describe('PSTN routes', () => {
    const route = { name: 'US', priority: 10, numberPattern: '^\\+1\\d{10}$', pstnUsages: ['Long Distance'], gateways: ['gw-1', 'gw-2'] };

    it('defines a route with its priority, pattern, usages and ordered gateways', () => {
      given([])
        .when({ type: 'DefinePstnRoute', data: route })
        .then([{ type: 'voice.pstn_route_defined.v1', data: { ...route, description: null, at: T0 } }]);
    });

    it('refuses a number pattern that is not a regular expression', () => {
      given([]).when({ type: 'DefinePstnRoute', data: { ...route, numberPattern: '^\\+1(\\d{10}$' } }).thenThrows(DomainError, /^invalid_regex: PSTN route US:/);
    });
  });

  describe('gateways', () => {
    it('defines, updates and removes a gateway', () => {
      const defined: VoiceConfigEvent = {
        type: 'voice.gateway_defined.v1',
        data: { name: 'gw-1', address: 'gw1.example.test:5067', transport: 'tls', at: T0 },
      };
      given([]).when({ type: 'DefineGateway', data: { name: 'gw-1', address: 'gw1.example.test:5067', transport: 'tls' } }).then([defined]);
      given([defined])
        .when({ type: 'UpdateGateway', data: { name: 'gw-1', address: '192.0.2.50:5060', transport: 'tcp' } })
        .then([{ type: 'voice.gateway_updated.v1', data: { name: 'gw-1', address: '192.0.2.50:5060', transport: 'tcp', at: T0 } }]);
      given([defined]).when({ type: 'RemoveGateway', data: { name: 'gw-1' } }).then([{ type: 'voice.gateway_removed.v1', data: { name: 'gw-1', at: T0 } }]);
    });
  });
});
