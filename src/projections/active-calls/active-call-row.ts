import { z } from 'zod';

/** The columns every active-call query selects, in the order of `ActiveCallRowSchema`. */
export const ACTIVE_CALL_COLUMNS = /* sql */ `
  sip_call_id, state, caller, dialled_string, normalized_number, target, route_kind, contacts, pstn_route, gateway,
  voice_policy, pstn_usage, answered_contact, park_orbit, started_at, answered_at, updated_at`;

const instant = z.date().transform((d) => d.toISOString());

/** Where a call is sent, as the last `call.routed.v1` said; null while it waits for a route. */
export type ActiveCallRoute =
  | { readonly kind: 'user'; readonly contacts: readonly string[] }
  | { readonly kind: 'pstn'; readonly routeName: string; readonly gateway: string; readonly voicePolicy: string; readonly pstnUsage: string };

interface RouteColumns {
  readonly sip_call_id: string;
  readonly route_kind: 'user' | 'pstn' | null;
  readonly contacts: string[] | null;
  readonly pstn_route: string | null;
  readonly gateway: string | null;
  readonly voice_policy: string | null;
  readonly pstn_usage: string | null;
}

function routeOf(r: RouteColumns): ActiveCallRoute | null {
  switch (r.route_kind) {
    case null:
      return null;
    case 'user':
      if (r.contacts === null) break;
      return { kind: 'user', contacts: r.contacts };
    case 'pstn':
      if (r.pstn_route === null || r.gateway === null || r.voice_policy === null || r.pstn_usage === null) break;
      return { kind: 'pstn', routeName: r.pstn_route, gateway: r.gateway, voicePolicy: r.voice_policy, pstnUsage: r.pstn_usage };
  }
  // The projection writes a route's columns together; anything else is a damaged table.
  throw new Error(`active_calls row ${r.sip_call_id} has an incomplete ${String(r.route_kind)} route`);
}

/** One call in progress as the HTTP API returns it; instants as ISO-8601 UTC strings. */
export const ActiveCallRowSchema = z
  .object({
    sip_call_id: z.string(),
    state: z.enum(['initiated', 'ringing', 'answered', 'held', 'parked']),
    caller: z.string(),
    dialled_string: z.string(),
    normalized_number: z.string().nullable(),
    target: z.string().nullable(),
    route_kind: z.enum(['user', 'pstn']).nullable(),
    contacts: z.array(z.string()).nullable(),
    pstn_route: z.string().nullable(),
    gateway: z.string().nullable(),
    voice_policy: z.string().nullable(),
    pstn_usage: z.string().nullable(),
    answered_contact: z.string().nullable(),
    park_orbit: z.string().nullable(),
    started_at: instant,
    answered_at: instant.nullable(),
    updated_at: instant,
  })
  .transform((r) => ({
    sipCallId: r.sip_call_id,
    state: r.state,
    caller: r.caller,
    dialledString: r.dialled_string,
    normalizedNumber: r.normalized_number,
    target: r.target,
    route: routeOf(r),
    answeredContact: r.answered_contact,
    parkOrbit: r.park_orbit,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    updatedAt: r.updated_at,
  }));

export type ActiveCall = z.output<typeof ActiveCallRowSchema>;
