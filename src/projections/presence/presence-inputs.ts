import type { Availability } from '../../events/domain/availability.ts';

/**
 * Everything one user's aggregated presence is computed from. The SQL
 * projection keeps it as rows, the in-memory view as this value; both hand it
 * to `aggregatePresence` with the reader's `now`. Instants are canonical
 * (see instants.ts).
 */
export interface PresenceInputs {
  /** Registered endpoints (endpointId → binding expiry). An endpoint past its expiry no longer counts. */
  readonly endpoints: ReadonlyMap<string, string>;
  /** Machine-state publications, by endpointId (RFC 3903: one per endpoint). */
  readonly publications: ReadonlyMap<string, MachinePublication>;
  /** The state the user chose ("Appear away"), or null. */
  readonly userState: UserSetState | null;
  /** Sip Call-IDs of the answered, not yet ended calls the user is a party to. */
  readonly calls: ReadonlySet<string>;
}

export interface MachinePublication {
  readonly endpointId: string;
  readonly availability: Availability;
  readonly code: number;
  readonly activity: string | null;
  readonly note: string | null;
  readonly etag: string;
  readonly expiresAt: string;
}

export interface UserSetState {
  readonly availability: Availability;
  readonly code: number;
  readonly note: string | null;
  /** Null: until cleared. */
  readonly until: string | null;
}

/** Which rule of the ladder decided the aggregate (for diagnostics and tests). */
export type PresenceSource = 'no_endpoint' | 'user' | 'call' | 'machine' | 'registration';

/** One user's presence as watchers see it. */
export interface AggregatedPresence {
  readonly availability: Availability;
  /** The OCS ladder code (3000-19999). */
  readonly code: number;
  readonly activity: string | null;
  readonly note: string | null;
  readonly source: PresenceSource;
}

/** True when nothing is known about the user: the view drops such an entry, the SQL projection its row. */
export function isEmptyPresence(inputs: PresenceInputs): boolean {
  return inputs.endpoints.size === 0 && inputs.publications.size === 0 && inputs.userState === null && inputs.calls.size === 0;
}
