import { z } from 'zod';
import { ContentTypeSchema, ImSessionIdSchema, MAX_IM_PARTICIPANTS, MAX_MESSAGE_BODY } from '../../events/domain/im-events.ts';
import { OpaqueIdSchema, SipUriSchema, uniqueList } from '../../events/domain/primitives.ts';
import { LogPositionSchema } from './positions.ts';

/**
 * POST /im/messages: sends an instant message as an administrator would on a
 * user's behalf — a new IM session between `from` and `to` whose first
 * message is `body`, written in one append. Every address must be a
 * provisioned user (404 otherwise).
 */
export const IM_MESSAGES_PATH = '/im/messages';

export const SendImRequestSchema = z.strictObject({
  from: SipUriSchema,
  to: uniqueList(SipUriSchema, 'to').min(1).max(MAX_IM_PARTICIPANTS - 1),
  body: z.string().min(1).max(MAX_MESSAGE_BODY),
  /** Default `text/plain; charset=utf-8`. */
  contentType: ContentTypeSchema.optional(),
  /** Keep the text in the log (the sender's archiving policy). Default false: the log records that a message was sent, not what it said. */
  archive: z.boolean().optional(),
  /** Default: a new UUID. Reusing one answers 409 `session_exists`. */
  sessionId: ImSessionIdSchema.optional(),
});
export type SendImRequest = z.infer<typeof SendImRequestSchema>;

export const ImSentSchema = z.looseObject({
  sessionId: ImSessionIdSchema,
  messageId: OpaqueIdSchema,
  position: LogPositionSchema,
  written: z.boolean(),
});
export type ImSent = z.infer<typeof ImSentSchema>;
