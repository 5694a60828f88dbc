import type { VoiceConfigKind } from '../stream-ids.ts';
import {
  voiceConfigEvents,
  type DialPlan,
  type Gateway,
  type PstnRoute,
  type VoiceConfigEvent,
  type VoicePolicy,
} from '../../events/domain/voice-config-events.ts';
import { assertNever } from '../decider.ts';

export const VOICE_CONFIG_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(voiceConfigEvents));

export type VoiceConfigItem =
  | { readonly kind: 'dialplan'; readonly definition: DialPlan }
  | { readonly kind: 'voicepolicy'; readonly definition: VoicePolicy }
  | { readonly kind: 'pstnroute'; readonly definition: PstnRoute }
  | { readonly kind: 'gateway'; readonly definition: Gateway };

/** A removed item keeps its kind and name: the stream stays bound to them, and may be defined again. */
export type VoiceConfigState =
  | { readonly status: 'none' }
  | ({ readonly status: 'defined' } & VoiceConfigItem)
  | { readonly status: 'removed'; readonly kind: VoiceConfigKind; readonly name: string };

export function initialVoiceConfigState(): VoiceConfigState {
  return { status: 'none' };
}

function removed(state: VoiceConfigState, kind: VoiceConfigKind, name: string): VoiceConfigState {
  if (state.status !== 'defined' || state.kind !== kind)
    throw new Error(`voiceconfig stream is corrupt: ${kind} ${name} removed while ${state.status}`);
  return { status: 'removed', kind, name };
}

export function evolveVoiceConfig(state: VoiceConfigState, event: VoiceConfigEvent): VoiceConfigState {
  switch (event.type) {
    case 'voice.dial_plan_defined.v1':
    case 'voice.dial_plan_updated.v1': {
      const { at: _at, ...definition } = event.data;
      return { status: 'defined', kind: 'dialplan', definition };
    }
    case 'voice.policy_defined.v1':
    case 'voice.policy_updated.v1': {
      const { at: _at, ...definition } = event.data;
      return { status: 'defined', kind: 'voicepolicy', definition };
    }
    case 'voice.pstn_route_defined.v1':
    case 'voice.pstn_route_updated.v1': {
      const { at: _at, ...definition } = event.data;
      return { status: 'defined', kind: 'pstnroute', definition };
    }
    case 'voice.gateway_defined.v1':
    case 'voice.gateway_updated.v1': {
      const { at: _at, ...definition } = event.data;
      return { status: 'defined', kind: 'gateway', definition };
    }
    case 'voice.dial_plan_removed.v1':
      return removed(state, 'dialplan', event.data.name);
    case 'voice.policy_removed.v1':
      return removed(state, 'voicepolicy', event.data.name);
    case 'voice.pstn_route_removed.v1':
      return removed(state, 'pstnroute', event.data.name);
    case 'voice.gateway_removed.v1':
      return removed(state, 'gateway', event.data.name);
    default:
      return assertNever(event, 'voice config event');
  }
}
