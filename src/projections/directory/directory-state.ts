import type { UserProfile } from '../../events/domain/directory-events.ts';

/**
 * What a registrar needs to check a Digest response: the realm the HA1 values
 * were computed for and HA1 = H(user:realm:password) per algorithm (RFC 2617
 * MD5, RFC 7616 SHA-256). The password itself is never in the log, the tables
 * or this view. The shape is the SIP plane's `StoredCredentials`
 * (src/realtime/auth/credential-store.ts), so a DirectoryReader is a CredentialStore.
 */
export interface DigestCredentials {
  readonly realm: string;
  /** MD5(username:realm:password), 32 lower-case hex digits. */
  readonly ha1Md5: string;
  /** SHA-256(username:realm:password), 64 lower-case hex digits. */
  readonly ha1Sha256: string;
}

/** One provisioned user; `credentials` is null until `directory.credentials_set.v1`. */
export interface DirectoryEntry {
  readonly profile: UserProfile;
  readonly credentials: DigestCredentials | null;
}

/** SIP URI → entry. Deprovisioned users are absent. */
export type DirectoryState = Map<string, DirectoryEntry>;

export function initialDirectoryState(): DirectoryState {
  return new Map();
}

export function digestCredentials(realm: string, ha1Md5: string, ha1Sha256: string): DigestCredentials {
  return { realm, ha1Md5, ha1Sha256 };
}
