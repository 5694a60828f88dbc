import { z } from 'zod';
import { ContentTypeSchema, ImSessionIdSchema, MAX_IM_PARTICIPANTS, MAX_MESSAGE_BODY } from '../../events/domain/im-events.ts';
import { OpaqueIdSchema, SipUriSchema, uniqueList } from '../../events/domain/primitives.ts';

function command<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data });
}

/** A message as submitted; `archive` is the sender's archiving policy, decided by the caller. */
export const ImMessageInputSchema = z.strictObject({
  sender: SipUriSchema,
  /** Omitted: every other participant. */
  recipients: uniqueList(SipUriSchema, 'recipients').min(1).max(MAX_IM_PARTICIPANTS).optional(),
  contentType: ContentTypeSchema,
  body: z.string().max(MAX_MESSAGE_BODY),
  archive: z.boolean(),
});

/**
 * Opens a session. `message` sends the first message in the same append,
 * which is what a page-mode MESSAGE (a session of one message) needs.
 */
export const StartImSessionSchema = command(
  'StartImSession',
  z.strictObject({
    sessionId: ImSessionIdSchema,
    initiator: SipUriSchema,
    /** The others; the initiator is added. */
    invitees: uniqueList(SipUriSchema, 'invitees').min(1).max(MAX_IM_PARTICIPANTS - 1),
    message: ImMessageInputSchema.optional(),
  }),
);

export const SendImMessageSchema = command('SendImMessage', ImMessageInputSchema);

export const MarkImDeliveredSchema = command(
  'MarkImDelivered',
  z.strictObject({
    messageId: OpaqueIdSchema,
    recipient: SipUriSchema,
    sipStatus: z.number().int().min(200).max(299),
  }),
);

export const MarkImFailedSchema = command(
  'MarkImFailed',
  z.strictObject({
    messageId: OpaqueIdSchema,
    recipient: SipUriSchema,
    sipStatus: z.number().int().min(300).max(699).optional(),
    reason: z.string().min(1).max(256),
  }),
);

export const EndImSessionSchema = command(
  'EndImSession',
  z.strictObject({
    endedBy: SipUriSchema.optional(),
    reason: z.string().min(1).max(256),
  }),
);

export const ImCommandSchema = z.discriminatedUnion('type', [
  StartImSessionSchema,
  SendImMessageSchema,
  MarkImDeliveredSchema,
  MarkImFailedSchema,
  EndImSessionSchema,
]);

export type ImCommand = z.infer<typeof ImCommandSchema>;
export type ImCommandOf<T extends ImCommand['type']> = Extract<ImCommand, { type: T }>;
