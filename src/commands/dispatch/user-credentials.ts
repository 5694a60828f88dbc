import { computeHa1 } from '../directory/compute-ha1.ts';
import type { UserCommandOf } from '../user/user-commands.ts';

/** `sip:alice@example.test` → digest username `alice`, realm `example.test` (the user's own domain). */
export function digestIdentity(sipUri: string): { readonly user: string; readonly realm: string } {
  const at = sipUri.lastIndexOf('@');
  return { user: sipUri.slice('sip:'.length, at), realm: sipUri.slice(at + 1) };
}

/**
 * SetCredentials for a password: it is hashed here, at the edge, so only the
 * HA1s (MD5 and SHA-256) reach the command and the log.
 */
export function setCredentialsFor(sipUri: string, password: string): UserCommandOf<'SetCredentials'> {
  const { user, realm } = digestIdentity(sipUri);
  return { type: 'SetCredentials', data: { realm, ...computeHa1(user, realm, password) } };
}
