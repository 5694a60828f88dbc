import type { PstnRoute, VoicePolicy } from '../../events/domain/voice-config-events.ts';

export interface PstnRouteSelection {
  readonly route: PstnRoute;
  /** The gateways to try, in order (the route's own order). */
  readonly gateways: readonly string[];
  /** The policy usage that allowed the route. */
  readonly pstnUsage: string;
}

/** Routes in the order OCS tries them: by priority, ties by name, whatever order they were read in. */
function byPriority(a: PstnRoute, b: PstnRoute): number {
  return a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Least-cost routing as OCS does it: the caller's voice policy lists PSTN
 * usages in order; for each usage, the routes that carry it are tried in
 * priority order, and the first whose pattern matches the (normalized) number
 * is taken. Null when nothing matches: the call is not authorized (SIP 403).
 */
export function selectPstnRoute(
  policy: Pick<VoicePolicy, 'pstnUsages'>,
  routes: readonly PstnRoute[],
  number: string,
): PstnRouteSelection | null {
  const ordered = [...routes].sort(byPriority);
  for (const pstnUsage of policy.pstnUsages) {
    for (const route of ordered) {
      if (!route.pstnUsages.includes(pstnUsage)) continue;
      if (new RegExp(route.numberPattern).test(number)) return { route, gateways: route.gateways, pstnUsage };
    }
  }
  return null;
}
