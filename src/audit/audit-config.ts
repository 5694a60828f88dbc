import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config/config.ts';
import { AuditKeyError, AuditSigner, parsePublicKeys, type AuditKeyRing } from './audit-keys.ts';

/**
 * Settings of the tamper-evident audit chain (docs/audit.md). Kept beside the
 * feature, like the SIP front end's, rather than in src/config/config.ts; each
 * field documents its variable and default.
 */
const KeySource = z.string().min(1).max(65_536);

export const AuditConfigSchema = z.object({
  /** CHORUS_AUDIT — `on` (default): the server runs the chain keeper; `off`: it does not (verify still works). */
  enabled: z.enum(['on', 'off']).default('on').transform((v) => v === 'on'),
  /**
   * CHORUS_AUDIT_SIGNING_KEY — Ed25519 private key (PKCS#8 PEM) as the value
   * itself or as a path to a file holding it. Default: none — the server then
   * generates an EPHEMERAL key at every start, logs a warning, and records its
   * public key in the log; such signatures show the chain was not rewritten by
   * someone without database access, nothing more (docs/audit.md, "Keys").
   */
  signingKey: KeySource.optional(),
  /**
   * CHORUS_AUDIT_PUBLIC_KEY — the public key(s) verification trusts (SPKI PEM,
   * several blocks allowed, value or file path). Default: the public half of
   * CHORUS_AUDIT_SIGNING_KEY when that is set; with neither, verification
   * checks signatures against the keys recorded in the log and says so.
   */
  publicKeys: KeySource.optional(),
  /** CHORUS_AUDIT_CHECKPOINT_EVERY — sign a checkpoint at every N-th chained event. Default 1000. */
  checkpointEvery: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  /**
   * CHORUS_AUDIT_CHECKPOINT_SECONDS — also sign the chain head when the last
   * checkpoint is older than this and newer events are chained, so a quiet log
   * is not left unsigned. Default 60; 0 disables the rule.
   */
  checkpointSeconds: z.coerce.number().int().min(0).max(86_400).default(60),
});

const ENV_NAMES = {
  enabled: 'CHORUS_AUDIT',
  signingKey: 'CHORUS_AUDIT_SIGNING_KEY',
  publicKeys: 'CHORUS_AUDIT_PUBLIC_KEY',
  checkpointEvery: 'CHORUS_AUDIT_CHECKPOINT_EVERY',
  checkpointSeconds: 'CHORUS_AUDIT_CHECKPOINT_SECONDS',
} as const satisfies Record<keyof z.input<typeof AuditConfigSchema>, string>;

export interface AuditConfig {
  readonly enabled: boolean;
  /** Null: no key configured (the keeper then uses an ephemeral one). */
  readonly signer: AuditSigner | null;
  /** Keys verification trusts; null: none configured (the log's own keys are used, untrusted). */
  readonly trustedKeys: AuditKeyRing | null;
  readonly checkpointEvery: number;
  readonly checkpointSeconds: number;
}

/** PEM text as given, or the contents of the file it names. */
function readKeySource(value: string, variable: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(`${variable}: neither PEM text nor a readable file (${code})`);
  }
}

/** Reads and validates the audit settings; throws ConfigError naming the variable. */
export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) raw[key] = env[name] === '' ? undefined : env[name];
  const parsed = AuditConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0];
    const name = typeof key === 'string' && key in ENV_NAMES ? ENV_NAMES[key as keyof typeof ENV_NAMES] : 'audit configuration';
    throw new ConfigError(`${name}: ${issue.message}`);
  }
  const c = parsed.data;
  const keyed = <T>(variable: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof AuditKeyError) throw new ConfigError(`${variable}: ${error.message}`);
      throw error;
    }
  };
  const signer =
    c.signingKey === undefined
      ? null
      : keyed(ENV_NAMES.signingKey, () => AuditSigner.fromPem(readKeySource(c.signingKey!, ENV_NAMES.signingKey)));
  let trustedKeys: Map<string, KeyObject> | null = null;
  if (c.publicKeys !== undefined)
    trustedKeys = new Map(keyed(ENV_NAMES.publicKeys, () => parsePublicKeys(readKeySource(c.publicKeys!, ENV_NAMES.publicKeys))));
  if (signer !== null) (trustedKeys ??= new Map()).set(signer.keyId, signer.publicKey());
  return {
    enabled: c.enabled,
    signer,
    trustedKeys,
    checkpointEvery: c.checkpointEvery,
    checkpointSeconds: c.checkpointSeconds,
  };
}
