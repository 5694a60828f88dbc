import { z } from 'zod';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/event-store.ts';
import type { InMemoryViewDefinition } from '../framework/index.ts';
import { directoryReader, directoryView } from '../directory/index.ts';
import { createLocationReader, locationView } from '../location/index.ts';
import { createPresenceReader, presenceView } from '../presence/index.ts';
import { routingReader, routingView } from '../routing/index.ts';
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
  /** Events per read. Default 5,000. */
  readonly pageSize?: number;
}

// The user's own stream carries directory, endpoint, presence and voice
// feature events; presence also needs the calls the user took part in.
const CATEGORIES = ['user', 'call'] as const;

type AnyView = InMemoryViewDefinition<DomainEvent, unknown, unknown, DomainEvent>;

/** Runs a view definition over a prefix of the log, the way InMemoryView would have. */
class ViewFold<S> {
  readonly state: S;
  readonly #definition: AnyView;
  readonly #handles: ReadonlySet<string> | null;

  constructor(definition: { initialState(): S; readonly canHandle?: readonly string[] }) {
    this.#definition = definition as unknown as AnyView;
    this.state = definition.initialState();
    this.#handles = definition.canHandle ? new Set(definition.canHandle) : null;
  }

  apply(event: RecordedEvent<DomainEvent>): void {
    if (this.#handles && !this.#handles.has(event.type)) return;
    this.#definition.apply(this.state, event);
  }
}

/**
 * A user's presence, registrations, forwarding and calls as they were at
 * `at`: the hot-path views' own `apply` run over every event recorded up to
 * that instant, so at the log's head the answer is what the live views show.
 * It scans the whole log (no snapshots yet); the instant compared is
 * `metadata.recordedAt`, when the log acknowledged the event — what Chorus
 * could have known then. Time-dependent reads (expiries) use `at` as now.
 */
export async function userAsOf(
  store: EventStore<DomainEvent>,
  sipUri: string,
  at: string,
  options: UserAsOfOptions = {},
): Promise<UserAsOf> {
  const cutoff = Date.parse(at);
  const pageSize = options.pageSize ?? 5_000;
  const directory = new ViewFold(directoryView);
  const location = new ViewFold(locationView);
  const presence = new ViewFold(presenceView);
  const routing = new ViewFold(routingView);
  const head = await store.headPosition();
  let after = 0n;
  let position = 0n;
  let everProvisioned = false;

  for (;;) {
    const page = await store.readAll({ after, limit: pageSize, filter: { categories: CATEGORIES } });
    for (const event of page) {
      after = event.globalPosition;
      // recordedAt comes from each transaction's start, so it is not strictly
      // monotonic in position: filter every event rather than stop at the first later one.
      if (Date.parse(event.metadata.recordedAt) > cutoff) continue;
      if (event.type === 'directory.user_provisioned.v1' && event.data.sipUri === sipUri) everProvisioned = true;
      directory.apply(event);
      location.apply(event);
      presence.apply(event);
      routing.apply(event);
      position = event.globalPosition;
    }
    options.onProgress?.(after > head ? after : head === 0n ? 0n : after, head);
    if (page.length < pageSize || after >= head) break;
  }
  if (!everProvisioned) throw new UnknownUserAtInstantError(sipUri, at);

  const profile = directoryReader(directory).user(sipUri);
  const voice = routingReader(routing).voiceFeatures(sipUri);
  const calls = [...presence.state.calls.values()]
    .filter((call) => call.caller === sipUri || call.routedTarget === sipUri || call.parties.includes(sipUri))
    .sort((a, b) => (a.sipCallId < b.sipCallId ? -1 : a.sipCallId > b.sipCallId ? 1 : 0));

  return {
    user: sipUri,
    at,
    position,
    state: {
      provisioned: profile !== null,
      displayName: profile?.displayName ?? null,
      lineUri: profile?.lineUri ?? null,
      presence: { ...createPresenceReader(presence).presenceOf(sipUri, at) },
      registrations: createLocationReader(location)
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
