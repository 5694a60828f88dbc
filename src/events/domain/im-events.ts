import { z } from 'zod';
import type { EventsOf } from '../catalogue.ts';
import { IsoInstantSchema, OpaqueIdSchema, SipUriSchema, uniqueList } from './primitives.ts';

/** An IM session id (the INVITE's or page-mode MESSAGE's Call-ID); it may hold `@`. */
export const ImSessionIdSchema = z.string().regex(/^[\x21-\x7e]{1,400}$/, 'must be 1-400 printable characters');

/** `type/subtype` with optional parameters, e.g. `text/plain; charset=utf-8`. */
export const ContentTypeSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?$/, 'must be a MIME type');

/** 64 KiB: far above any SIP MESSAGE a client sends, low enough to keep one event small. */
export const MAX_MESSAGE_BODY = 65_536;
export const MAX_IM_PARTICIPANTS = 250;

export const imEvents = {
  'im.session_started.v1': z.strictObject({
    sessionId: ImSessionIdSchema,
    initiator: SipUriSchema,
    /** Includes the initiator. */
    participants: uniqueList(SipUriSchema, 'participants').min(2).max(MAX_IM_PARTICIPANTS),
    at: IsoInstantSchema,
  }),
  /**
   * `body` is kept only when the archiving policy said so (`archived: true`);
   * otherwise the log records that a message was sent, never what it said.
   */
  'im.message_sent.v1': z
    .strictObject({
      sessionId: ImSessionIdSchema,
      messageId: OpaqueIdSchema,
      sender: SipUriSchema,
      recipients: uniqueList(SipUriSchema, 'recipients').min(1).max(MAX_IM_PARTICIPANTS),
      contentType: ContentTypeSchema,
      body: z.string().max(MAX_MESSAGE_BODY).nullable(),
      archived: z.boolean(),
      at: IsoInstantSchema,
    })
    .refine((e) => e.archived === (e.body !== null), { message: 'body must be present exactly when archived' }),
  'im.message_delivered.v1': z.strictObject({
    sessionId: ImSessionIdSchema,
    messageId: OpaqueIdSchema,
    recipient: SipUriSchema,
    sipStatus: z.number().int().min(200).max(299),
    at: IsoInstantSchema,
  }),
  'im.message_failed.v1': z.strictObject({
    sessionId: ImSessionIdSchema,
    messageId: OpaqueIdSchema,
    recipient: SipUriSchema,
    /** The final SIP status, or null when no response came (timeout, transport error). */
    sipStatus: z.number().int().min(300).max(699).nullable(),
    reason: z.string().min(1).max(256),
    at: IsoInstantSchema,
  }),
  'im.session_ended.v1': z.strictObject({
    sessionId: ImSessionIdSchema,
    endedBy: SipUriSchema.nullable(),
    reason: z.string().min(1).max(256),
    at: IsoInstantSchema,
  }),
} as const;

export type ImEvent = EventsOf<typeof imEvents>;
