import { z } from 'zod';

/**
 * What baresip 1.0's ctrl_tcp module sends: events (`"event": true`) from the user agents and
 * responses (`"response": true`) to our commands, matched by `token`. Unknown fields are kept
 * out; unknown event types pass (baresip has dozens), only the shape is checked.
 */
export const BaresipEventSchema = z.object({
  event: z.literal(true),
  /** e.g. REGISTERING, REGISTER_OK, REGISTER_FAIL, CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED. */
  type: z.string(),
  class: z.string(),
  accountaor: z.string().optional(),
  direction: z.enum(['incoming', 'outgoing']).optional(),
  peeruri: z.string().optional(),
  /** The call's id (the SIP Call-ID) on call events. */
  id: z.string().optional(),
  /** Event detail: the peer URI, the close reason ("486 Rejected", "Connection reset by user"), a status line. */
  param: z.string().optional(),
});
export type BaresipEvent = z.infer<typeof BaresipEventSchema>;

export const BaresipResponseSchema = z.object({
  response: z.literal(true),
  ok: z.boolean(),
  data: z.string(),
  token: z.string().optional(),
});
export type BaresipResponse = z.infer<typeof BaresipResponseSchema>;

export const BaresipMessageSchema = z.union([BaresipEventSchema, BaresipResponseSchema]);
