import { z } from 'zod';
import { CallEndCauseSchema, CallLegReasonSchema, ForwardReasonSchema } from '../../events/domain/call-events.ts';
import { ModalitySchema } from '../../events/domain/conference-events.ts';
import { IsoInstantSchema } from '../../events/domain/primitives.ts';
import { CdrCursorSchema, CdrKindSchema, MAX_CDR_PAGE, type CdrCursor, type CdrKind } from '../../projections/cdr/cdr-page.ts';
import { pageLimitSchema } from './page-query.ts';

/** GET /cdr?kind=call|conference|im&after=<cursor>&limit= */
export const CDR_PATH = '/cdr';

/**
 * The `after` cursor is opaque to clients: base64url of the kind and the
 * (ended_at, id) key the previous page stopped at. Carrying the kind lets a
 * cursor used with another kind be refused instead of silently skipping rows.
 */
const CursorPayloadSchema = CdrCursorSchema.extend({ kind: CdrKindSchema });
type CursorPayload = z.infer<typeof CursorPayloadSchema>;

export function encodeCdrCursor(kind: CdrKind, cursor: CdrCursor): string {
  const payload: CursorPayload = { kind, endedAt: cursor.endedAt, id: cursor.id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

const NOT_A_CURSOR = 'must be the `next` cursor of an earlier page';

const CdrCursorParamSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,2048}$/, { error: NOT_A_CURSOR, abort: true })
  .transform((text, ctx) => {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = CursorPayloadSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    // `continue: false`: the kind check below must not run on a cursor that did not decode.
    ctx.issues.push({ code: 'custom', message: NOT_A_CURSOR, input: text, continue: false });
    return z.NEVER;
  });

export const CdrQuerySchema = z
  .object({
    kind: CdrKindSchema,
    /** Omitted: from the first record. */
    after: CdrCursorParamSchema.optional().describe('the `next` of the previous page'),
    limit: pageLimitSchema(MAX_CDR_PAGE),
  })
  .superRefine((query, ctx) => {
    if (query.after !== undefined && query.after.kind !== query.kind)
      ctx.addIssue({ code: 'custom', path: ['after'], message: `is a cursor of kind ${query.after.kind}, not ${query.kind}` });
  });

const ForwardSchema = z.object({ reason: ForwardReasonSchema, from: z.string(), to: z.string(), at: z.string() });
const TransferSchema = z.object({ by: z.string(), to: z.string(), at: z.string() });
const LegSchema = z.object({ reason: CallLegReasonSchema, onBehalfOf: z.string(), member: z.string(), contacts: z.array(z.string()), at: z.string() });

/** A finished call (src/projections/cdr). */
export const CallCdrSchema = z.object({
  kind: z.literal('call'),
  id: z.string(),
  caller: z.string(),
  dialledString: z.string(),
  normalizedNumber: z.string().nullable(),
  /** The PSTN gateway the call came in from; null for a call from a user. */
  inboundGateway: z.string().nullable(),
  routeKind: z.enum(['user', 'pstn']).nullable(),
  /** The user the last route rang, or the E.164 number it dialled out to. */
  routeTarget: z.string().nullable(),
  pstnRoute: z.string().nullable(),
  gateway: z.string().nullable(),
  voicePolicy: z.string().nullable(),
  pstnUsage: z.string().nullable(),
  forwards: z.array(ForwardSchema),
  transfers: z.array(TransferSchema),
  /** Team-call members and delegates whose phones rang on the callee's behalf, in order. */
  legs: z.array(LegSchema),
  startedAt: IsoInstantSchema,
  answeredAt: IsoInstantSchema.nullable(),
  endedAt: IsoInstantSchema,
  endCause: CallEndCauseSchema,
  sipStatus: z.number().int().nullable(),
  durationSeconds: z.number().int(),
});

/** A finished conference. */
export const ConferenceCdrSchema = z.object({
  kind: z.literal('conference'),
  id: z.string(),
  organizer: z.string(),
  subject: z.string(),
  startsAt: IsoInstantSchema,
  endsAt: IsoInstantSchema,
  scheduledAt: IsoInstantSchema,
  activatedAt: IsoInstantSchema.nullable(),
  endedAt: IsoInstantSchema,
  endedBy: z.string().nullable(),
  participants: z.array(z.string()),
  participantCount: z.number().int(),
  modalities: z.array(ModalitySchema),
});

/** A finished IM session. */
export const ImSessionCdrSchema = z.object({
  kind: z.literal('im'),
  id: z.string(),
  initiator: z.string(),
  participants: z.array(z.string()),
  participantCount: z.number().int(),
  messagesSent: z.number().int(),
  /** Per recipient. */
  messagesDelivered: z.number().int(),
  messagesFailed: z.number().int(),
  startedAt: IsoInstantSchema,
  endedAt: IsoInstantSchema,
  endedBy: z.string().nullable(),
  endReason: z.string(),
});

export const CdrRecordSchema = z.discriminatedUnion('kind', [CallCdrSchema, ConferenceCdrSchema, ImSessionCdrSchema]);
export type CdrRecordBody = z.infer<typeof CdrRecordSchema>;

/** One page, oldest end first; every item is of the kind asked for. */
export const CdrPageSchema = z.object({
  kind: CdrKindSchema,
  items: z.array(CdrRecordSchema),
  /** Pass as `after` for the next page; null when this page was the last. */
  next: z.string().nullable(),
});
export type CdrPageBody = z.infer<typeof CdrPageSchema>;
