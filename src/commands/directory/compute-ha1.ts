import { createHash } from 'node:crypto';

export interface Ha1Pair {
  /** MD5(user:realm:password), RFC 2617 `algorithm=MD5`. */
  readonly ha1Md5: string;
  /** SHA-256(user:realm:password), RFC 7616 / RFC 8760 `algorithm=SHA-256`. */
  readonly ha1Sha256: string;
}

/**
 * The digest HA1 values for a user, so the password is hashed at the edge (API)
 * and only HA1s reach the SetCredentials command and the log. `user` is the
 * digest username: the user part of the SIP URI (`alice` for sip:alice@example.test).
 */
export function computeHa1(user: string, realm: string, password: string): Ha1Pair {
  const a1 = `${user}:${realm}:${password}`;
  return {
    ha1Md5: createHash('md5').update(a1, 'utf8').digest('hex'),
    ha1Sha256: createHash('sha256').update(a1, 'utf8').digest('hex'),
  };
}
