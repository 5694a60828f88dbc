import { z } from 'zod';
import { AvailabilitySchema } from '../../events/domain/availability.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import type { TrackedCall } from './call-parties.ts';
import { instantFromSql } from './instants.ts';
import type { MachinePublication, UserSetState } from './presence-inputs.ts';
import type { PresenceWatcher } from './presence-view-state.ts';

/**
 * The presence projection's tables and the SQL that reads them back. The
 * input tables (endpoints, publications, user states, call parties) are the
 * truth; `presence_states` is the aggregate of each user at the instant of the
 * last event that touched them (`as_of`), for listings. Anyone asking "now"
 * re-aggregates from the inputs (`readPresenceFromSql`).
 */
export const PRESENCE_TABLES = [
  'presence_endpoints',
  'presence_publications',
  'presence_user_states',
  'presence_calls',
  'presence_call_parties',
  'presence_watchers',
  'presence_blocks',
  'presence_states',
] as const;

export const PRESENCE_SCHEMA = /* sql */ `
CREATE TABLE presence_endpoints (
  sip_uri      text        NOT NULL,
  endpoint_id  text        NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (sip_uri, endpoint_id)
);
CREATE TABLE presence_publications (
  sip_uri       text        NOT NULL,
  endpoint_id   text        NOT NULL,
  availability  text        NOT NULL,
  code          integer     NOT NULL,
  activity      text,
  note          text,
  etag          text        NOT NULL,
  expires_at    timestamptz NOT NULL,
  published_at  timestamptz NOT NULL,
  PRIMARY KEY (sip_uri, endpoint_id)
);
CREATE TABLE presence_user_states (
  sip_uri       text        PRIMARY KEY,
  availability  text        NOT NULL,
  code          integer     NOT NULL,
  note          text,
  until         timestamptz,
  set_at        timestamptz NOT NULL
);
CREATE TABLE presence_calls (
  sip_call_id    text    PRIMARY KEY,
  caller         text    NOT NULL,
  routed_target  text,
  answered       boolean NOT NULL,
  parked_by      text
);
CREATE TABLE presence_call_parties (
  sip_call_id  text NOT NULL,
  sip_uri      text NOT NULL,
  PRIMARY KEY (sip_call_id, sip_uri)
);
CREATE INDEX presence_call_parties_by_user ON presence_call_parties (sip_uri);
CREATE TABLE presence_watchers (
  sip_uri          text        NOT NULL,
  subscription_id  text        NOT NULL,
  watcher_uri      text        NOT NULL,
  expires_at       timestamptz NOT NULL,
  subscribed_at    timestamptz NOT NULL,
  refreshed_at     timestamptz NOT NULL,
  PRIMARY KEY (sip_uri, subscription_id)
);
CREATE INDEX presence_watchers_by_watcher ON presence_watchers (watcher_uri);
CREATE TABLE presence_blocks (
  sip_uri  text        PRIMARY KEY,
  blocked  text[]      NOT NULL,
  set_at   timestamptz NOT NULL
);
CREATE TABLE presence_states (
  sip_uri        text        PRIMARY KEY,
  availability   text        NOT NULL,
  code           integer     NOT NULL,
  activity       text,
  note           text,
  source         text        NOT NULL,
  in_call        boolean     NOT NULL,
  as_of          timestamptz NOT NULL,
  valid_through  timestamptz
);`;

// Each SELECT has a whole-table form (seeding the view) and a one-user form.
const ENDPOINT_COLUMNS = /* sql */ `SELECT sip_uri, endpoint_id, expires_at FROM presence_endpoints`;
const PUBLICATION_COLUMNS = /* sql */ `
SELECT sip_uri, endpoint_id, availability, code, activity, note, etag, expires_at FROM presence_publications`;
const USER_STATE_COLUMNS = /* sql */ `SELECT sip_uri, availability, code, note, until FROM presence_user_states`;
const CALL_PARTY_COLUMNS = /* sql */ `SELECT sip_uri, sip_call_id FROM presence_call_parties`;
const WATCHER_COLUMNS = /* sql */ `SELECT sip_uri, subscription_id, watcher_uri, expires_at FROM presence_watchers`;
const BLOCK_COLUMNS = /* sql */ `SELECT sip_uri, blocked FROM presence_blocks`;
const CALL_COLUMNS = /* sql */ `SELECT sip_call_id, caller, routed_target, answered, parked_by FROM presence_calls`;
const BY_USER = /* sql */ ` WHERE sip_uri = $1`;
const BY_USERS = /* sql */ ` WHERE sip_uri = ANY($1::text[])`;

const Instant = z.union([z.date(), z.string()]).transform(instantFromSql);

const EndpointRow = z.object({ sip_uri: z.string(), endpoint_id: z.string(), expires_at: Instant });
const PublicationRow = z.object({
  sip_uri: z.string(),
  endpoint_id: z.string(),
  availability: AvailabilitySchema,
  code: z.coerce.number().int(),
  activity: z.string().nullable(),
  note: z.string().nullable(),
  etag: z.string(),
  expires_at: Instant,
});
const UserStateRow = z.object({
  sip_uri: z.string(),
  availability: AvailabilitySchema,
  code: z.coerce.number().int(),
  note: z.string().nullable(),
  until: Instant.nullable(),
});
const CallPartyRow = z.object({ sip_uri: z.string(), sip_call_id: z.string() });
const WatcherRow = z.object({ sip_uri: z.string(), subscription_id: z.string(), watcher_uri: z.string(), expires_at: Instant });
const BlockRow = z.object({ sip_uri: z.string(), blocked: z.array(z.string()) });
const CallRow = z.object({
  sip_call_id: z.string(),
  caller: z.string(),
  routed_target: z.string().nullable(),
  answered: z.boolean(),
  parked_by: z.string().nullable(),
});

export interface EndpointEntry {
  readonly sipUri: string;
  readonly endpointId: string;
  readonly expiresAt: string;
}
export interface PublicationEntry {
  readonly sipUri: string;
  readonly publication: MachinePublication;
}
export interface UserStateEntry {
  readonly sipUri: string;
  readonly userState: UserSetState;
}
export interface CallPartyEntry {
  readonly sipUri: string;
  readonly sipCallId: string;
}
export interface WatcherEntry {
  readonly sipUri: string;
  readonly watcher: PresenceWatcher;
}

/**
 * `sipUri` narrows every read to one user, or to a batch's users when it is a
 * list (the projection loads a whole batch's users at once); omitted, the whole table.
 */
export type UserFilter = string | readonly string[] | undefined;

export async function selectEndpoints(tx: SqlTransaction, sipUri?: UserFilter): Promise<EndpointEntry[]> {
  const { rows } = await query(tx, ENDPOINT_COLUMNS, sipUri);
  return rows.map((raw) => {
    const r = EndpointRow.parse(raw);
    return { sipUri: r.sip_uri, endpointId: r.endpoint_id, expiresAt: r.expires_at };
  });
}

export async function selectPublications(tx: SqlTransaction, sipUri?: UserFilter): Promise<PublicationEntry[]> {
  const { rows } = await query(tx, PUBLICATION_COLUMNS, sipUri);
  return rows.map((raw) => {
    const r = PublicationRow.parse(raw);
    return {
      sipUri: r.sip_uri,
      publication: {
        endpointId: r.endpoint_id,
        availability: r.availability,
        code: r.code,
        activity: r.activity,
        note: r.note,
        etag: r.etag,
        expiresAt: r.expires_at,
      },
    };
  });
}

export async function selectUserStates(tx: SqlTransaction, sipUri?: UserFilter): Promise<UserStateEntry[]> {
  const { rows } = await query(tx, USER_STATE_COLUMNS, sipUri);
  return rows.map((raw) => {
    const r = UserStateRow.parse(raw);
    return { sipUri: r.sip_uri, userState: { availability: r.availability, code: r.code, note: r.note, until: r.until } };
  });
}

export async function selectCallParties(tx: SqlTransaction, sipUri?: UserFilter): Promise<CallPartyEntry[]> {
  const { rows } = await query(tx, CALL_PARTY_COLUMNS, sipUri);
  return rows.map((raw) => {
    const r = CallPartyRow.parse(raw);
    return { sipUri: r.sip_uri, sipCallId: r.sip_call_id };
  });
}

export async function selectWatchers(tx: SqlTransaction, sipUri?: UserFilter): Promise<WatcherEntry[]> {
  const { rows } = await query(tx, WATCHER_COLUMNS, sipUri);
  return rows.map((raw) => {
    const r = WatcherRow.parse(raw);
    return { sipUri: r.sip_uri, watcher: { subscriptionId: r.subscription_id, watcherUri: r.watcher_uri, expiresAt: r.expires_at } };
  });
}

/** Each user's block list, in the order the user gave it (arrays keep their order in both databases). */
export async function selectBlocks(tx: SqlTransaction, sipUri?: UserFilter): Promise<{ sipUri: string; blocked: string[] }[]> {
  const { rows } = await query(tx, BLOCK_COLUMNS, sipUri);
  return rows.map((raw) => {
    const r = BlockRow.parse(raw);
    return { sipUri: r.sip_uri, blocked: r.blocked };
  });
}

/** Calls with their parties; `sipCallId` narrows to one call (or to a list of calls). */
export async function selectCalls(tx: SqlTransaction, sipCallId?: string | readonly string[]): Promise<TrackedCall[]> {
  const one = sipCallId === undefined ? [] : [sipCallId];
  const where =
    sipCallId === undefined ? '' : typeof sipCallId === 'string' ? /* sql */ ` WHERE sip_call_id = $1` : /* sql */ ` WHERE sip_call_id = ANY($1::text[])`;
  const calls = (await tx.query(CALL_COLUMNS + where, one)).rows.map((raw) => CallRow.parse(raw));
  const parties = new Map<string, string[]>();
  for (const raw of (await tx.query(CALL_PARTY_COLUMNS + where, one)).rows) {
    const r = CallPartyRow.parse(raw);
    parties.set(r.sip_call_id, [...(parties.get(r.sip_call_id) ?? []), r.sip_uri]);
  }
  return calls.map((r) => ({
    sipCallId: r.sip_call_id,
    caller: r.caller,
    routedTarget: r.routed_target,
    answered: r.answered,
    parkedBy: r.parked_by,
    // Sorted in JS, as the view sorts: SQL's ORDER BY would follow the database collation.
    parties: (parties.get(r.sip_call_id) ?? []).sort(),
  }));
}

function query(tx: SqlTransaction, select: string, sipUri: UserFilter) {
  if (sipUri === undefined) return tx.query(select);
  return typeof sipUri === 'string' ? tx.query(select + BY_USER, [sipUri]) : tx.query(select + BY_USERS, [sipUri]);
}
