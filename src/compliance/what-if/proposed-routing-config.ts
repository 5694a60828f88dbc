import { z } from 'zod';
import {
  PutDialPlanRequestSchema,
  PutGatewayRequestSchema,
  PutPstnRouteRequestSchema,
  PutVoicePolicyRequestSchema,
} from '../../api/contract/voice-config-contract.ts';
import { SetForwardingRequestSchema } from '../../api/contract/users-contract.ts';
import { assertTranslationFits, compilePattern } from '../../commands/voice-config/regex-rules.ts';
import { DomainError } from '../../commands/domain-error.ts';
import { ConfigNameSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { DialPlanSchema, GatewaySchema, PstnRouteSchema, VoicePolicySchema } from '../../events/domain/voice-config-events.ts';
import { putDialPlan, putPstnRoutes, putUser, removePstnRoute } from '../../projections/routing/routing-state.ts';
import type { RoutingState } from '../../projections/routing/index.ts';

/**
 * A proposed routing configuration for `chorus whatif --config` and POST
 * /whatif: each item is the body its voice-config PUT takes (name from the
 * key), or null to remove it; per user, the forwarding body of PUT
 * /users/{sipUri}/forwarding and the dial plan / voice policy assignment.
 * It is laid over the configuration in force when the call was made, so the
 * only difference between the two decisions is the proposal.
 */
export const ProposedRoutingConfigSchema = z
  .strictObject({
    dialPlans: z.record(ConfigNameSchema, PutDialPlanRequestSchema.nullable()).optional(),
    voicePolicies: z.record(ConfigNameSchema, PutVoicePolicyRequestSchema.nullable()).optional(),
    pstnRoutes: z.record(ConfigNameSchema, PutPstnRouteRequestSchema.nullable()).optional(),
    gateways: z.record(ConfigNameSchema, PutGatewayRequestSchema.nullable()).optional(),
    users: z
      .record(
        SipUriSchema,
        z.strictObject({
          forwarding: SetForwardingRequestSchema.optional(),
          dialPlan: ConfigNameSchema.nullable().optional(),
          voicePolicy: ConfigNameSchema.nullable().optional(),
        }),
      )
      .optional(),
  })
  .superRefine((config, ctx) => {
    // The deciders refuse a pattern that does not compile (422); a proposal is checked the same way.
    const check = (path: (string | number)[], run: () => void): void => {
      try {
        run();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        ctx.addIssue({ code: 'custom', path, message: error.message });
      }
    };
    for (const [name, plan] of Object.entries(config.dialPlans ?? {}))
      plan?.rules.forEach((rule, i) =>
        check(['dialPlans', name, 'rules', i, 'pattern'], () => assertTranslationFits(compilePattern(rule.pattern, 'pattern'), rule.translation, 'translation')),
      );
    for (const [name, route] of Object.entries(config.pstnRoutes ?? {}))
      if (route) check(['pstnRoutes', name, 'numberPattern'], () => compilePattern(route.numberPattern, 'numberPattern'));
  });
export type ProposedRoutingConfig = z.infer<typeof ProposedRoutingConfigSchema>;

/** A copy of `base` with the proposal applied through the routing view's own mutations. */
export function applyProposal(base: RoutingState, proposal: ProposedRoutingConfig): RoutingState {
  const state = structuredClone(base);
  for (const [name, body] of Object.entries(proposal.dialPlans ?? {})) {
    if (body === null) state.dialPlans.delete(name);
    else
      putDialPlan(
        state,
        DialPlanSchema.parse({
          name,
          description: body.description ?? null,
          rules: body.rules.map((r) => ({ ...r, description: r.description ?? null })),
        }),
      );
  }
  for (const [name, body] of Object.entries(proposal.voicePolicies ?? {})) {
    if (body === null) state.voicePolicies.delete(name);
    else state.voicePolicies.set(name, VoicePolicySchema.parse({ ...body, name, description: body.description ?? null }));
  }
  for (const [name, body] of Object.entries(proposal.pstnRoutes ?? {})) {
    if (body === null) removePstnRoute(state, name);
    else putPstnRoutes(state, [PstnRouteSchema.parse({ ...body, name, description: body.description ?? null })]);
  }
  for (const [name, body] of Object.entries(proposal.gateways ?? {})) {
    if (body === null) state.gateways.delete(name);
    else state.gateways.set(name, GatewaySchema.parse({ ...body, name }));
  }
  for (const [sipUri, change] of Object.entries(proposal.users ?? {})) {
    const user = state.users.get(sipUri);
    if (!user) throw new UnknownProposedUserError(sipUri);
    const f = change.forwarding;
    putUser(state, {
      ...user,
      ...(change.dialPlan === undefined ? {} : { dialPlan: change.dialPlan }),
      ...(change.voicePolicy === undefined ? {} : { voicePolicy: change.voicePolicy }),
      voice:
        f === undefined
          ? user.voice
          : { ...user.voice, forwarding: { immediate: f.immediate ?? null, noAnswer: f.noAnswer ?? null, busy: f.busy ?? null, unreachable: f.unreachable ?? null } },
    });
  }
  return state;
}

/** The proposal changes a user the configuration at the call's time does not hold. */
export class UnknownProposedUserError extends Error {
  readonly code = 'unknown_user';
  readonly httpStatus = 422;

  constructor(readonly sipUri: string) {
    super(`the proposed configuration changes ${sipUri}, who was not provisioned when the call was made`);
    this.name = 'UnknownProposedUserError';
  }
}
