/**
 * The stored form of a sealed personal field: a string that replaces the
 * value in the event's JSON, `chorus-sealed:v1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`.
 * The key id says which key opens it; the subject is not repeated.
 */
const PREFIX = 'chorus-sealed:v1:';
const TOKEN = /^chorus-sealed:v1:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Za-z0-9_-]+)$/;

export interface SealedToken {
  readonly keyId: string;
  readonly sealed: Buffer;
}

export function formatSealedToken(keyId: string, sealed: Uint8Array): string {
  return `${PREFIX}${keyId}:${Buffer.from(sealed).toString('base64url')}`;
}

/** The token in `value`, or null when it is not one (a value written before sealing existed, or never sealed). */
export function parseSealedToken(value: unknown): SealedToken | null {
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) return null;
  const m = TOKEN.exec(value);
  return m ? { keyId: m[1]!, sealed: Buffer.from(m[2]!, 'base64url') } : null;
}
