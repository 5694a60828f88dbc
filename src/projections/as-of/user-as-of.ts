import { z } from 'zod';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { directoryReader } from '../directory/index.ts';
import { createLocationReader } from '../location/index.ts';
import { createPresenceReader } from '../presence/index.ts';
import { routingReader } from '../routing/index.ts';
import type { AsOfFold } from './as-of-fold.ts';
import { foldWithoutSnapshots, type AsOfSnapshots } from './as-of-snapshots.ts';
import { UnknownUserAtInstantError } from './unknown-user-at-instant-error.ts';

/**
 * What `chorus replay --at` and GET /replay answer: a user as the log knew
 * them at an instant. The schema is the wire contract's `state`.
 */
export const UserAsOfStateSchema = z.object({
  /** Whether the user was provisioned (and not deprovisioned) at the instant. */
  provisioned: z.boolean(),
  displayName: z.string().nullable(),
  lineUri: z.string().nullable(),
  presence: z.object({
    availability: z.string(),
    code: z.number(),
    activity: z.string().nullable(),
    note: z.string().nullable(),
    source: z.string(),
  }),
  registrations: z.array(
    z.object({
      contact: z.string(),
      transport: z.string(),
      sourceAddress: z.string(),
      userAgent: z.string().nullable(),
      registeredAt: z.string(),
      expiresAt: z.string(),
    }),
  ),
  forwarding: z.unknown(),
  simultaneousRing: z.array(z.string()),
  delegates: z.array(z.string()),
  calls: z.array(
    z.object({
      sipCallId: z.string(),
      caller: z.string(),
      callee: z.string().nullable(),
      answered: z.boolean(),
      parties: z.array(z.string()),
    }),
  ),
});
export type UserAsOfState = z.infer<typeof UserAsOfStateSchema>;

export interface UserAsOf {
  readonly user: string;
  readonly at: string;
  /** Global position of the last event folded in (0 when the log held nothing before `at`). */
  readonly position: bigint;
  readonly state: UserAsOfState;
}

export interface UserAsOfOptions {
  /** Called after each page read: how far the scan is, against the log's head when it began. */
  readonly onProgress?: (position: bigint, head: bigint) => void;
  /** Events per read of a full scan. Default 5,000. */
  readonly pageSize?: number;
  /** Start from the latest snapshot before `at` instead of scanning the whole log (same answer). */
  readonly snapshots?: AsOfSnapshots;
}

/**
 * A user's presence, registrations, forwarding and calls as they were at
 * `at`: the hot-path views' own `apply` run over every event recorded up to
 * that instant, so at the log's head the answer is what the live views show.
 * The instant compared is `metadata.recordedAt`, when the log acknowledged
 * the event — what Chorus could have known then. Time-dependent reads
 * (expiries) use `at` as now. With `snapshots` the fold starts from a stored
 * snapshot (src/projections/as-of/as-of-snapshots.ts); without, it scans the log.
 */
export async function userAsOf(
  store: EventStore<DomainEvent>,
  sipUri: string,
  at: string,
  options: UserAsOfOptions = {},
): Promise<UserAsOf> {
  const fold = options.snapshots
    ? await options.snapshots.foldAt(at)
    : await foldWithoutSnapshots(store, at, {
        ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
  return userFromFold(fold, sipUri, at);
}

/** The answer for one user out of a fold at `at`; UnknownUserAtInstantError when never provisioned by then. */
export function userFromFold(fold: AsOfFold, sipUri: string, at: string): UserAsOf {
  if (!fold.everProvisioned(sipUri)) throw new UnknownUserAtInstantError(sipUri, at);
  const presence = fold.presence;
  const profile = directoryReader(fold.directory).user(sipUri);
  const voice = routingReader(fold.routing).voiceFeatures(sipUri);
  const calls = [...presence.state.calls.values()]
    .filter((call) => call.caller === sipUri || call.routedTarget === sipUri || call.parties.includes(sipUri))
    .sort((a, b) => (a.sipCallId < b.sipCallId ? -1 : a.sipCallId > b.sipCallId ? 1 : 0));

  return {
    user: sipUri,
    at,
    position: fold.userCallPosition,
    state: {
      provisioned: profile !== null,
      displayName: profile?.displayName ?? null,
      lineUri: profile?.lineUri ?? null,
      presence: { ...createPresenceReader(presence).presenceOf(sipUri, at) },
      registrations: createLocationReader(fold.location)
        .liveContacts(sipUri, at)
        .map((b) => ({
          contact: b.contact,
          transport: b.transport,
          sourceAddress: b.sourceAddress,
          userAgent: b.userAgent,
          registeredAt: b.registeredAt,
          expiresAt: b.expiresAt,
        })),
      forwarding: voice?.forwarding ?? null,
      simultaneousRing: [...(voice?.simultaneousRing ?? [])],
      delegates: [...(voice?.delegates ?? [])],
      calls: calls.map((c) => ({
        sipCallId: c.sipCallId,
        caller: c.caller,
        callee: c.routedTarget,
        answered: c.answered,
        parties: [...c.parties],
      })),
    },
  };
}
