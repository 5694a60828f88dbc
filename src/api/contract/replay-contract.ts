import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema } from '../../events/domain/primitives.ts';
import { UserAsOfStateSchema } from '../../projections/as-of/user-as-of.ts';
import { LogPositionSchema } from './positions.ts';

/** GET /replay?user=<sip-uri>&at=<ISO instant>: a user's state rebuilt from the log as it was at `at`. */
export const REPLAY_PATH = '/replay';

export const ReplayQuerySchema = z.object({
  user: SipUriSchema,
  at: IsoInstantSchema,
});
export type ReplayQuery = z.infer<typeof ReplayQuerySchema>;

export const ReplayResultSchema = z.looseObject({
  user: SipUriSchema,
  at: IsoInstantSchema,
  /** Position of the last event folded into `state`. */
  position: LogPositionSchema,
  /** The user's presence, registrations, forwarding and calls at `at`. */
  state: UserAsOfStateSchema,
});
export type ReplayResult = z.infer<typeof ReplayResultSchema>;
