import { z } from 'zod';
import { IsoInstantSchema } from '../../events/domain/primitives.ts';

/** GET /calls/active */
export const ACTIVE_CALLS_PATH = '/calls/active';

/** GET /calls/active/{sipCallId}; the Call-ID is percent-encoded (it often holds `@`). */
export function activeCallPath(sipCallId: string): string {
  return `${ACTIVE_CALLS_PATH}/${encodeURIComponent(sipCallId)}`;
}

export const ActiveCallPathParamsSchema = z.object({ sipCallId: z.string().min(1).max(512) });

/** Where the call is sent, as the last routing decided; null while it waits for a route. */
export const ActiveCallRouteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), contacts: z.array(z.string()) }),
  z.object({ kind: z.literal('pstn'), routeName: z.string(), gateway: z.string(), voicePolicy: z.string(), pstnUsage: z.string() }),
]);

/** One call not yet ended (src/projections/active-calls). */
export const ActiveCallSchema = z
  .object({
    sipCallId: z.string(),
    state: z.enum(['initiated', 'ringing', 'answered', 'held', 'parked']),
    caller: z.string(),
    dialledString: z.string(),
    normalizedNumber: z.string().nullable(),
    /** The user or E.164 number the call is for now (changes on forward and transfer). */
    target: z.string().nullable(),
    route: ActiveCallRouteSchema.nullable(),
    answeredContact: z.string().nullable(),
    parkOrbit: z.string().nullable(),
    startedAt: IsoInstantSchema,
    answeredAt: IsoInstantSchema.nullable(),
    updatedAt: IsoInstantSchema,
  })
  .meta({ id: 'ActiveCall' });
export type ActiveCallBody = z.infer<typeof ActiveCallSchema>;

export const ActiveCallsSchema = z.object({
  /** Oldest first. */
  calls: z.array(ActiveCallSchema),
});
export type ActiveCalls = z.infer<typeof ActiveCallsSchema>;
