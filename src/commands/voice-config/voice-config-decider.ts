import { isDeepStrictEqual } from 'node:util';
import type { DialPlan, PstnRoute, VoiceConfigEvent, VoicePolicy } from '../../events/domain/voice-config-events.ts';
import { assertNever, type DecisionContext, type Decider } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import type { VoiceConfigKind } from '../stream-ids.ts';
import { assertTranslationFits, compilePattern } from './regex-rules.ts';
import type { VoiceConfigCommand } from './voice-config-commands.ts';
import {
  evolveVoiceConfig,
  initialVoiceConfigState,
  VOICE_CONFIG_EVENT_TYPES,
  type VoiceConfigItem,
  type VoiceConfigState,
} from './voice-config-state.ts';

type Action = 'define' | 'update' | 'remove';

const COMMANDS: Readonly<Record<VoiceConfigCommand['type'], readonly [VoiceConfigKind, Action]>> = {
  DefineDialPlan: ['dialplan', 'define'],
  UpdateDialPlan: ['dialplan', 'update'],
  RemoveDialPlan: ['dialplan', 'remove'],
  DefineVoicePolicy: ['voicepolicy', 'define'],
  UpdateVoicePolicy: ['voicepolicy', 'update'],
  RemoveVoicePolicy: ['voicepolicy', 'remove'],
  DefinePstnRoute: ['pstnroute', 'define'],
  UpdatePstnRoute: ['pstnroute', 'update'],
  RemovePstnRoute: ['pstnroute', 'remove'],
  DefineGateway: ['gateway', 'define'],
  UpdateGateway: ['gateway', 'update'],
  RemoveGateway: ['gateway', 'remove'],
};

/**
 * Checks the item's lifecycle and returns what is defined now (if anything).
 * A stream belongs to one kind and name for ever, so a command for another is
 * a routing bug of the caller (`wrong_stream`), not a conflict.
 */
function checkLifecycle(state: VoiceConfigState, command: VoiceConfigCommand): VoiceConfigItem | null {
  const [kind, action] = COMMANDS[command.type];
  const name = command.data.name;
  if (state.status !== 'none') {
    const current = state.status === 'defined' ? state.definition.name : state.name;
    if (state.kind !== kind || current !== name)
      throw new DomainError('wrong_stream', `${command.type} ${name} sent to the stream of ${state.kind} ${current}`);
  }
  const defined = state.status === 'defined' ? state : null;
  if (action === 'define' && defined) throw new DomainError('already_defined', `${kind} ${name} is already defined`);
  if (action !== 'define' && !defined) throw new DomainError('not_defined', `${kind} ${name} is not defined`);
  return defined;
}

/** Leaves out nothing: an absent description becomes null, so equal plans compare equal. */
function dialPlanOf(data: Extract<VoiceConfigCommand, { type: 'DefineDialPlan' }>['data']): DialPlan {
  const plan: DialPlan = {
    name: data.name,
    description: data.description ?? null,
    rules: data.rules.map((r) => ({ pattern: r.pattern, translation: r.translation, description: r.description ?? null })),
  };
  plan.rules.forEach((rule, i) => {
    const where = `dial plan ${plan.name} rule ${i + 1}`;
    assertTranslationFits(compilePattern(rule.pattern, where), rule.translation, where);
  });
  return plan;
}

function voicePolicyOf(data: Extract<VoiceConfigCommand, { type: 'DefineVoicePolicy' }>['data']): VoicePolicy {
  return { name: data.name, description: data.description ?? null, pstnUsages: data.pstnUsages, features: data.features };
}

function pstnRouteOf(data: Extract<VoiceConfigCommand, { type: 'DefinePstnRoute' }>['data']): PstnRoute {
  compilePattern(data.numberPattern, `PSTN route ${data.name}`);
  return {
    name: data.name,
    description: data.description ?? null,
    priority: data.priority,
    numberPattern: data.numberPattern,
    pstnUsages: data.pstnUsages,
    gateways: data.gateways,
  };
}

/** An update that changes nothing writes nothing. */
function unchanged(current: VoiceConfigItem | null, definition: object): boolean {
  return current !== null && isDeepStrictEqual(current.definition, definition);
}

export function decideVoiceConfig(
  command: VoiceConfigCommand,
  state: VoiceConfigState,
  context: DecisionContext,
): readonly VoiceConfigEvent[] {
  const current = checkLifecycle(state, command);
  const at = context.now();
  switch (command.type) {
    case 'DefineDialPlan':
    case 'UpdateDialPlan': {
      const plan = dialPlanOf(command.data);
      if (unchanged(current, plan)) return [];
      const type = command.type === 'DefineDialPlan' ? 'voice.dial_plan_defined.v1' : 'voice.dial_plan_updated.v1';
      return [{ type, data: { ...plan, at } }];
    }
    case 'DefineVoicePolicy':
    case 'UpdateVoicePolicy': {
      const policy = voicePolicyOf(command.data);
      if (unchanged(current, policy)) return [];
      const type = command.type === 'DefineVoicePolicy' ? 'voice.policy_defined.v1' : 'voice.policy_updated.v1';
      return [{ type, data: { ...policy, at } }];
    }
    case 'DefinePstnRoute':
    case 'UpdatePstnRoute': {
      const route = pstnRouteOf(command.data);
      if (unchanged(current, route)) return [];
      const type = command.type === 'DefinePstnRoute' ? 'voice.pstn_route_defined.v1' : 'voice.pstn_route_updated.v1';
      return [{ type, data: { ...route, at } }];
    }
    case 'DefineGateway':
    case 'UpdateGateway': {
      const { name, address, transport } = command.data;
      const gateway = { name, address, transport };
      if (unchanged(current, gateway)) return [];
      const type = command.type === 'DefineGateway' ? 'voice.gateway_defined.v1' : 'voice.gateway_updated.v1';
      return [{ type, data: { ...gateway, at } }];
    }
    case 'RemoveDialPlan':
      return [{ type: 'voice.dial_plan_removed.v1', data: { name: command.data.name, at } }];
    case 'RemoveVoicePolicy':
      return [{ type: 'voice.policy_removed.v1', data: { name: command.data.name, at } }];
    case 'RemovePstnRoute':
      return [{ type: 'voice.pstn_route_removed.v1', data: { name: command.data.name, at } }];
    case 'RemoveGateway':
      return [{ type: 'voice.gateway_removed.v1', data: { name: command.data.name, at } }];
    default:
      return assertNever(command, 'voice config command');
  }
}

/**
 * One Enterprise Voice configuration item (`voiceconfig-<kind>-<name>`, see
 * `voiceConfigStreamId`). References between items (a route's gateways, a
 * policy's usages) are not checked here: they cross streams.
 */
export const voiceConfigDecider: Decider<VoiceConfigCommand, VoiceConfigEvent, VoiceConfigState> = {
  category: 'voiceconfig',
  eventTypes: VOICE_CONFIG_EVENT_TYPES,
  initialState: initialVoiceConfigState,
  evolve: evolveVoiceConfig,
  decide: decideVoiceConfig,
};
