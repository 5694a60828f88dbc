import { z } from 'zod';
import { AvailabilityCodeSchema, AvailabilitySchema } from '../../events/domain/availability.ts';
import { MAX_ENDPOINTS_LIMIT } from '../../events/domain/directory-events.ts';
import { InstanceIdSchema } from '../../events/domain/endpoint-events.ts';
import { MAX_PRESENCE_BLOCKS, PresenceBlockSchema, SubscriptionIdSchema } from '../../events/domain/presence-events.ts';
import {
  CallTargetSchema,
  ConfigNameSchema,
  ContactUriSchema,
  IsoInstantSchema,
  OpaqueIdSchema,
  SipTransportSchema,
  SipUriSchema,
  SourceAddressSchema,
  TelUriSchema,
  uniqueList,
} from '../../events/domain/primitives.ts';
import {
  MAX_DELEGATES,
  MAX_SIMULTANEOUS_RING_TARGETS,
  MAX_TEAM_MEMBERS,
  NoAnswerSecondsSchema,
} from '../../events/domain/user-voice-events.ts';

/**
 * Commands on a user's stream (`user-<aor>`): directory entry, registrations,
 * presence and per-user voice features. Only ProvisionUser names the user; the
 * others act on the stream they are sent to.
 */

/** Registration and subscription lifetimes: up to a day, like OCS's maximum. */
const ExpiresSecondsSchema = z.number().int().min(1).max(86_400);
/** A state by name (`busy`) or as an OCS ladder code (6500). */
const AvailabilityInputSchema = z.union([AvailabilitySchema, AvailabilityCodeSchema]);

function command<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data });
}

export const ProvisionUserSchema = command(
  'ProvisionUser',
  z.strictObject({
    sipUri: SipUriSchema,
    displayName: z.string().min(1).max(256),
    lineUri: TelUriSchema.optional(),
    /** Default false. Enterprise Voice needs a line URI. */
    enterpriseVoiceEnabled: z.boolean().optional(),
    dialPlan: ConfigNameSchema.optional(),
    voicePolicy: ConfigNameSchema.optional(),
    /** Default 8, at most 64. */
    maxEndpoints: z.number().int().min(1).max(MAX_ENDPOINTS_LIMIT).optional(),
  }),
);

/** Omitted fields stay as they are; `null` clears an optional one. */
export const UpdateUserSchema = command(
  'UpdateUser',
  z.strictObject({
    displayName: z.string().min(1).max(256).optional(),
    lineUri: TelUriSchema.nullable().optional(),
    enterpriseVoiceEnabled: z.boolean().optional(),
    dialPlan: ConfigNameSchema.nullable().optional(),
    voicePolicy: ConfigNameSchema.nullable().optional(),
    maxEndpoints: z.number().int().min(1).max(MAX_ENDPOINTS_LIMIT).optional(),
  }),
);

export const DeprovisionUserSchema = command(
  'DeprovisionUser',
  z.strictObject({ reason: z.string().max(512).optional() }),
);

/** Build the HA1s with `computeHa1`; the password never reaches a command. */
export const SetCredentialsSchema = command(
  'SetCredentials',
  z.strictObject({
    realm: z.string().min(1).max(256),
    ha1Md5: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits'),
    ha1Sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  }),
);

/** A REGISTER with a positive expiry; a binding is the same endpoint again when its instance id (or, without one, its contact) matches. */
export const RegisterEndpointSchema = command(
  'RegisterEndpoint',
  z.strictObject({
    contact: ContactUriSchema,
    instanceId: InstanceIdSchema.optional(),
    transport: SipTransportSchema,
    sourceAddress: SourceAddressSchema,
    userAgent: z.string().max(512).optional(),
    expiresSeconds: ExpiresSecondsSchema,
  }),
);

/** A REGISTER with `Expires: 0`; `contact: '*'` removes every binding (RFC 3261 §10.2.2). */
export const UnregisterEndpointSchema = command(
  'UnregisterEndpoint',
  z.strictObject({
    contact: z.union([z.literal('*'), ContactUriSchema]),
    instanceId: InstanceIdSchema.optional(),
  }),
);

/**
 * A PUBLISH from one registered endpoint. Without `state` it only refreshes the
 * publication named by `ifMatch` (RFC 3903 §4.2); with `ifMatch` the etag must
 * be the current one.
 */
export const PublishPresenceSchema = command(
  'PublishPresence',
  z.strictObject({
    endpointId: OpaqueIdSchema,
    ifMatch: OpaqueIdSchema.optional(),
    state: z
      .strictObject({
        availability: AvailabilityInputSchema,
        activity: z.string().max(128).optional(),
        note: z.string().max(1024).optional(),
      })
      .optional(),
    expiresSeconds: ExpiresSecondsSchema,
  }),
);

/** A PUBLISH with `Expires: 0`. */
export const WithdrawPresenceSchema = command(
  'WithdrawPresence',
  z.strictObject({ endpointId: OpaqueIdSchema, ifMatch: OpaqueIdSchema.optional() }),
);

export const SetUserStateSchema = command(
  'SetUserState',
  z.strictObject({
    availability: AvailabilityInputSchema,
    note: z.string().max(1024).optional(),
    /** When the state lapses; omitted: until cleared. */
    until: IsoInstantSchema.optional(),
  }),
);

export const ClearUserStateSchema = command('ClearUserState', z.strictObject({}));

/** A SUBSCRIBE to this user's presence, new or refreshing (same subscriptionId). */
export const SubscribeWatcherSchema = command(
  'SubscribeWatcher',
  z.strictObject({
    watcherUri: SipUriSchema,
    subscriptionId: SubscriptionIdSchema,
    expiresSeconds: ExpiresSecondsSchema,
  }),
);

export const UnsubscribeWatcherSchema = command(
  'UnsubscribeWatcher',
  z.strictObject({ subscriptionId: SubscriptionIdSchema }),
);

/** The complete presence block list: AORs and domains whose SUBSCRIBEs get 403; `[]`: nobody. */
export const SetPresenceBlocksSchema = command(
  'SetPresenceBlocks',
  z.strictObject({ blocked: uniqueList(PresenceBlockSchema, 'blocked').max(MAX_PRESENCE_BLOCKS) }),
);

/** Adds one AOR or domain to the presence block list; its live subscriptions end (reason `rejected`). */
export const BlockWatcherSchema = command('BlockWatcher', z.strictObject({ watcher: PresenceBlockSchema }));

export const UnblockWatcherSchema = command('UnblockWatcher', z.strictObject({ watcher: PresenceBlockSchema }));

/** Writes the expiry of every binding, publication, subscription and user state whose time has passed. */
export const SweepExpiredSchema = command('SweepExpired', z.strictObject({}));

/** The complete forwarding setting: an omitted or null branch is off. */
export const SetForwardingSchema = command(
  'SetForwarding',
  z.strictObject({
    immediate: CallTargetSchema.nullable().optional(),
    noAnswer: z.strictObject({ afterSeconds: NoAnswerSecondsSchema, target: CallTargetSchema }).nullable().optional(),
    busy: CallTargetSchema.nullable().optional(),
    unreachable: CallTargetSchema.nullable().optional(),
  }),
);

export const SetSimultaneousRingSchema = command(
  'SetSimultaneousRing',
  z.strictObject({ targets: uniqueList(CallTargetSchema, 'targets').max(MAX_SIMULTANEOUS_RING_TARGETS) }),
);

export const SetDelegatesSchema = command(
  'SetDelegates',
  z.strictObject({ delegates: uniqueList(SipUriSchema, 'delegates').max(MAX_DELEGATES) }),
);

export const SetTeamCallSchema = command(
  'SetTeamCall',
  z.strictObject({
    members: uniqueList(SipUriSchema, 'members').max(MAX_TEAM_MEMBERS),
    /** Default 0: members ring with the user. */
    ringAfterSeconds: z.number().int().min(0).max(60).optional(),
  }),
);

export const UserCommandSchema = z.discriminatedUnion('type', [
  ProvisionUserSchema,
  UpdateUserSchema,
  DeprovisionUserSchema,
  SetCredentialsSchema,
  RegisterEndpointSchema,
  UnregisterEndpointSchema,
  PublishPresenceSchema,
  WithdrawPresenceSchema,
  SetUserStateSchema,
  ClearUserStateSchema,
  SubscribeWatcherSchema,
  UnsubscribeWatcherSchema,
  SetPresenceBlocksSchema,
  BlockWatcherSchema,
  UnblockWatcherSchema,
  SweepExpiredSchema,
  SetForwardingSchema,
  SetSimultaneousRingSchema,
  SetDelegatesSchema,
  SetTeamCallSchema,
]);

export type UserCommand = z.infer<typeof UserCommandSchema>;
/** One member of the union by its type, e.g. `UserCommandOf<'RegisterEndpoint'>`. */
export type UserCommandOf<T extends UserCommand['type']> = Extract<UserCommand, { type: T }>;
