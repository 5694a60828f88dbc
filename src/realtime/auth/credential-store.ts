/**
 * What digest authentication needs to know about a user: the HA1 values that
 * SetCredentials wrote (`directory.credentials_set.v1`). The directory's
 * in-memory view implements it; the SIP hot path never reads SQL.
 */
export type StoredCredentials = {
  /** The realm the HA1s were computed for; challenges for this user name it. */
  readonly realm: string;
  /** MD5(username:realm:password), 32 lower-case hex digits. */
  readonly ha1Md5: string;
  /** SHA-256(username:realm:password), 64 lower-case hex digits. */
  readonly ha1Sha256: string;
};

export interface CredentialStore {
  /** Credentials of an address of record (`sip:alice@example.test`), or null when it has none (unknown, deprovisioned, never set). */
  credentials(aor: string): StoredCredentials | null;
}
