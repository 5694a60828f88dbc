import { z } from 'zod';
import { SipUriSchema, TelUriSchema } from '../../events/domain/primitives.ts';

/**
 * Wire contract of the users area, shared by the route plugin (to validate and
 * document) and the CLI client (to build requests and parse answers).
 */
export const USERS_PATH = '/users';

/** POST /users */
export const AddUserRequestSchema = z.object({
  sipUri: SipUriSchema,
  // Strength rules belong to the domain; the wire only bounds the size.
  password: z.string().min(1).max(1024),
  lineUri: TelUriSchema.optional(),
});
export type AddUserRequest = z.infer<typeof AddUserRequestSchema>;

/** 201 answer to POST /users; routes may add fields. */
export const UserCreatedSchema = z.looseObject({
  sipUri: SipUriSchema,
  lineUri: TelUriSchema.optional(),
});
export type UserCreated = z.infer<typeof UserCreatedSchema>;
