import type { EditionRole } from './edition-role.ts';

/** What runStandardEditionProcess needs of any running role: where it answers, its token, how to stop it. */
export interface PoolMember {
  readonly role: EditionRole;
  /** Where the HTTP API (or, for relay and projector, just GET /health and /metrics) answers. */
  readonly httpUrl: string;
  readonly adminToken: string;
  /** True when the admin token was generated for this process (CHORUS_ADMIN_TOKEN unset). */
  readonly adminTokenEphemeral: boolean;
  /** Stops everything in reverse start order; idempotent. */
  close(): Promise<void>;
}
