import { randomBytes } from 'node:crypto';

export interface ResolvedAdminToken {
  readonly token: string;
  /** True when generated for this process because CHORUS_ADMIN_TOKEN was unset: it dies with the process. */
  readonly ephemeral: boolean;
}

/** 32 bytes of randomness, base64url: 43 characters, safe in an Authorization header. */
export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url');
}

export function resolveAdminToken(configured: string | undefined): ResolvedAdminToken {
  return configured === undefined ? { token: generateAdminToken(), ephemeral: true } : { token: configured, ephemeral: false };
}
