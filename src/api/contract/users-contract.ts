import { z } from 'zod';
import { MAX_ENDPOINTS_LIMIT } from '../../events/domain/directory-events.ts';
import { ConfigNameSchema, SipUriSchema, TelUriSchema } from '../../events/domain/primitives.ts';
import {
  ClearUserStateSchema,
  SetDelegatesSchema,
  SetForwardingSchema,
  SetSimultaneousRingSchema,
  SetTeamCallSchema,
  SetUserStateSchema,
  UpdateUserSchema,
} from '../../commands/user/user-commands.ts';
import { LogPositionSchema } from './positions.ts';

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
  /** Default: the user part of the SIP URI. */
  displayName: z.string().min(1).max(256).optional(),
  /** Default false; needs a line URI. */
  enterpriseVoiceEnabled: z.boolean().optional(),
  dialPlan: ConfigNameSchema.optional(),
  voicePolicy: ConfigNameSchema.optional(),
  /** Default 8. */
  maxEndpoints: z.number().int().min(1).max(MAX_ENDPOINTS_LIMIT).optional(),
});
export type AddUserRequest = z.infer<typeof AddUserRequestSchema>;

/** 201 answer to POST /users; routes may add fields. */
export const UserCreatedSchema = z.looseObject({
  sipUri: SipUriSchema,
  lineUri: TelUriSchema.optional(),
  /** Log position of the user's last event (the credentials); optional for older servers. */
  position: LogPositionSchema.optional(),
});
export type UserCreated = z.infer<typeof UserCreatedSchema>;

/** `/users/{sipUri}`; the URI is percent-encoded so any valid SIP URI makes one path segment. */
export function userPath(sipUri: string, sub?: UserSubresource): string {
  const base = `${USERS_PATH}/${encodeURIComponent(sipUri)}`;
  return sub === undefined ? base : `${base}/${sub}`;
}

export const USER_SUBRESOURCES = ['credentials', 'presence', 'forwarding', 'simultaneous-ring', 'delegates', 'team-call'] as const;
export type UserSubresource = (typeof USER_SUBRESOURCES)[number];

export const UserPathParamsSchema = z.object({ sipUri: SipUriSchema });

/** PATCH /users/{sipUri}: omitted fields stay, `null` clears an optional one. */
export const UpdateUserRequestSchema = UpdateUserSchema.shape.data;
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

/** DELETE /users/{sipUri}?reason=… — the address is retired for good. */
export const DeprovisionUserQuerySchema = z.object({ reason: z.string().min(1).max(512).optional() });

/** PUT /users/{sipUri}/credentials: the server stores only digest HA1s (MD5 and SHA-256) for the user's domain. */
export const SetPasswordRequestSchema = z.strictObject({ password: z.string().min(1).max(1024) });

/** PUT /users/{sipUri}/presence: the state the user chose (overrides endpoint publications until cleared). */
export const SetPresenceRequestSchema = SetUserStateSchema.shape.data;
/** DELETE /users/{sipUri}/presence takes no body. */
export const ClearPresenceRequestSchema = ClearUserStateSchema.shape.data;

/** PUT /users/{sipUri}/forwarding: the complete setting; an omitted or null branch is off. */
export const SetForwardingRequestSchema = SetForwardingSchema.shape.data;
/** PUT /users/{sipUri}/simultaneous-ring: `[]` turns it off. */
export const SetSimultaneousRingRequestSchema = SetSimultaneousRingSchema.shape.data;
/** PUT /users/{sipUri}/delegates */
export const SetDelegatesRequestSchema = SetDelegatesSchema.shape.data;
/** PUT /users/{sipUri}/team-call */
export const SetTeamCallRequestSchema = SetTeamCallSchema.shape.data;
