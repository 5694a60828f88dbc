import { normalizeNumber, type NormalizationResult } from '../../commands/voice-config/normalize-number.ts';
import { SipUriSchema } from '../../events/domain/primitives.ts';
import type { DialPlan, PstnRoute, VoicePolicy } from '../../events/domain/voice-config-events.ts';
import { dialledNumberKey } from './number-key.ts';
import type { RoutingReader } from './routing-reader.ts';
import type { RoutingUser } from './routing-state.ts';

/** Exactly the arguments of `selectPstnRoute(policy, routes, number)`. */
export interface PstnRouteInput {
  readonly policy: VoicePolicy;
  readonly routes: readonly PstnRoute[];
  readonly number: string;
}

/** Why a call cannot go to the PSTN (the router answers 403 or 404 with it). */
export type NoPstnReason =
  /** The caller is not enabled for Enterprise Voice: OCS grants PSTN usages only to EV users. */
  | 'voice_not_enabled'
  | 'no_voice_policy'
  /** The caller's policy names an item that is not (or no longer) defined. */
  | 'voice_policy_undefined'
  /** The dialled string is a SIP URI, or did not normalize to E.164. */
  | 'not_a_phone_number';

export type RoutingInput =
  | { readonly kind: 'unknown_caller'; readonly caller: string }
  | {
      readonly kind: 'resolved';
      readonly caller: RoutingUser;
      readonly dialled: string;
      /** The caller's dial plan; null when none is assigned or it is not defined (the number then goes as dialled). */
      readonly dialPlan: DialPlan | null;
      /** `normalizeNumber`'s answer, or the SIP URI unchanged (dial plans translate numbers only). */
      readonly normalization: NormalizationResult;
      /** The user the normalized number (or SIP URI) belongs to; null when none or more than one. */
      readonly callee: RoutingUser | null;
      /** Every holder of the number when more than one does: a provisioning conflict to report. */
      readonly conflictingCallees: readonly RoutingUser[];
      readonly pstn: ({ readonly kind: 'ready' } & PstnRouteInput) | { readonly kind: 'unavailable'; readonly reason: NoPstnReason };
    };

const NO_RULES: Pick<DialPlan, 'rules'> = { rules: [] };

function pstnInput(reader: RoutingReader, caller: RoutingUser, number: string): Extract<RoutingInput, { kind: 'resolved' }>['pstn'] {
  if (dialledNumberKey(number) === null) return { kind: 'unavailable', reason: 'not_a_phone_number' };
  if (!caller.enterpriseVoiceEnabled) return { kind: 'unavailable', reason: 'voice_not_enabled' };
  if (caller.voicePolicy === null) return { kind: 'unavailable', reason: 'no_voice_policy' };
  const policy = reader.voicePolicy(caller.voicePolicy);
  if (policy === null) return { kind: 'unavailable', reason: 'voice_policy_undefined' };
  return { kind: 'ready', policy, routes: reader.routes(), number };
}

/**
 * The inputs of a routing decision for `caller` dialling `dialled`: the
 * caller's dial plan applied with `normalizeNumber`, the reverse number lookup
 * of the result, and the arguments `selectPstnRoute` needs. It decides
 * nothing itself: whether a found callee wins over the PSTN, and what a null
 * route means, are the call router's rules.
 *
 * `dialled` is what the user dialled (a Request-URI's user part for
 * `user=phone`: `2001`, `94255550100`, `+14255550100`) or a SIP URI.
 */
export function resolveRoutingInput(reader: RoutingReader, callerSipUri: string, dialled: string): RoutingInput {
  const caller = reader.user(callerSipUri);
  if (caller === null) return { kind: 'unknown_caller', caller: callerSipUri };
  const dialPlan = caller.dialPlan === null ? null : (reader.dialPlan(caller.dialPlan)?.definition ?? null);

  if (SipUriSchema.safeParse(dialled).success) {
    return {
      kind: 'resolved',
      caller,
      dialled,
      dialPlan,
      normalization: { number: dialled, rule: null },
      callee: reader.user(dialled),
      conflictingCallees: [],
      pstn: { kind: 'unavailable', reason: 'not_a_phone_number' },
    };
  }

  const normalization = normalizeNumber(dialPlan ?? NO_RULES, dialled);
  const holders = reader.usersByNumber(normalization.number);
  return {
    kind: 'resolved',
    caller,
    dialled,
    dialPlan,
    normalization,
    callee: holders.length === 1 ? holders[0]! : null,
    conflictingCallees: holders.length > 1 ? holders : [],
    pstn: pstnInput(reader, caller, normalization.number),
  };
}
