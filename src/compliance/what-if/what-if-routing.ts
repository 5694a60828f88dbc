import { z } from 'zod';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { AsOfFold } from '../../projections/as-of/as-of-fold.ts';
import { foldWithoutSnapshots, type AsOfSnapshots } from '../../projections/as-of/as-of-snapshots.ts';
import { callAsOf } from '../../projections/as-of/call-as-of.ts';
import { createLocationReader } from '../../projections/location/index.ts';
import { routingReader, type RoutingState } from '../../projections/routing/index.ts';
import { applyProposal, type ProposedRoutingConfig } from './proposed-routing-config.ts';
import { decideRouting, recordedDecision, RoutingDecisionSchema, sameDecision } from './routing-decision.ts';

/** Later than any event: "everything the log holds". */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

export const WhatIfResultSchema = z.object({
  sipCallId: z.string(),
  caller: z.string(),
  dialledString: z.string(),
  /** When the router decided (the call's `call.initiated.v1` instant): the configuration and registrations as of then. */
  decidedAt: z.string(),
  /** What the call's events say happened; null when the log holds no decision (the call is still being set up). */
  recorded: RoutingDecisionSchema.nullable(),
  /** The decision re-run against the configuration as of `decidedAt`. */
  asOf: RoutingDecisionSchema,
  /** Whether `asOf` equals `recorded` (false when nothing is recorded). */
  reproduced: z.boolean(),
  alternative: z.object({
    /** `current`: the configuration at the head of the log; `proposed`: the call-time configuration with the proposal laid over it. */
    source: z.enum(['current', 'proposed']),
    decision: RoutingDecisionSchema,
    /** Whether it differs from `asOf`. */
    changed: z.boolean(),
  }),
});
export type WhatIfResult = z.infer<typeof WhatIfResultSchema>;

export interface WhatIfOptions {
  /** Start folds from as-of snapshots (same answers, faster on a long log). */
  readonly snapshots?: AsOfSnapshots;
  /** A configuration to try instead of the current one. */
  readonly proposal?: ProposedRoutingConfig;
}

/**
 * What-if routing for a historical call: the router's decision re-run with
 * its own pure functions against the routing configuration (and the
 * registrations) as of the instant it decided — which must give what the
 * call's events recorded — and against the current or a proposed
 * configuration. Registrations stay those of the call's instant in both:
 * only the configuration is varied.
 */
export async function whatIfRouting(store: EventStore<DomainEvent>, sipCallId: string, options: WhatIfOptions = {}): Promise<WhatIfResult> {
  const call = (await callAsOf(store, sipCallId, END_OF_TIME)).state;
  const at = call.initiatedAt;
  const foldAt = (instant: string): Promise<AsOfFold> => (options.snapshots ? options.snapshots.foldAt(instant) : foldWithoutSnapshots(store, instant));
  const then = await foldAt(at);
  const location = createLocationReader(then.location);
  const decide = (state: RoutingState) => decideRouting(routingReader({ state }), location, call, at);

  const asOf = decide(then.routing.state);
  const recorded = recordedDecision(call);
  let alternative: WhatIfResult['alternative'];
  if (options.proposal) {
    const decision = decide(applyProposal(then.routing.state, options.proposal));
    alternative = { source: 'proposed', decision, changed: !sameDecision(asOf, decision) };
  } else {
    const now = await foldAt(END_OF_TIME);
    const decision = decide(now.routing.state);
    alternative = { source: 'current', decision, changed: !sameDecision(asOf, decision) };
  }
  return {
    sipCallId,
    caller: call.caller,
    dialledString: call.dialledString,
    decidedAt: at,
    recorded,
    asOf,
    reproduced: recorded !== null && sameDecision(recorded, asOf),
    alternative,
  };
}
