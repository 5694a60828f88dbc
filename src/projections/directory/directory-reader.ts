import type { UserProfile } from '../../events/domain/directory-events.ts';
import type { DigestCredentials, DirectoryState } from './directory-state.ts';

/**
 * What the SIP registrar asks the directory on REGISTER/INVITE. Synchronous:
 * answered from memory, never from SQL.
 */
export interface DirectoryReader {
  /** The provisioned user's profile; null when unknown or deprovisioned. */
  user(sipUri: string): UserProfile | null;
  /** Realm and HA1 per algorithm; null when the user is unknown, deprovisioned or has no credentials yet. */
  credentials(sipUri: string): DigestCredentials | null;
}

/**
 * A reader over a view's current state. Takes the holder, not the state: a
 * view replaces its state object when it is seeded, so the reader must look
 * it up on every call.
 */
export function directoryReader(source: { readonly state: DirectoryState }): DirectoryReader {
  return {
    user: (sipUri) => source.state.get(sipUri)?.profile ?? null,
    credentials: (sipUri) => source.state.get(sipUri)?.credentials ?? null,
  };
}
