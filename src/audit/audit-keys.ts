import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Ed25519 keys of the audit checkpoints. A key is named by its id: the first
 * 32 hex digits of SHA-256 over its SubjectPublicKeyInfo (DER), so the id can
 * be recomputed from the public key alone and cannot be chosen freely.
 */

export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

export function keyIdOf(publicKey: KeyObject): string {
  return hash('sha256', publicKey.export({ type: 'spki', format: 'der' }), 'hex').slice(0, 32);
}

function assertEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(`${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`);
}

/** Signs checkpoints with one private key. */
export class AuditSigner {
  readonly keyId: string;
  /** SPKI PEM of the public half, recorded in `chorus_audit_keys`. */
  readonly publicKeyPem: string;
  /** True when the key was generated for this process (no CHORUS_AUDIT_SIGNING_KEY). */
  readonly ephemeral: boolean;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject, ephemeral: boolean) {
    assertEd25519(privateKey, 'the audit signing key');
    const publicKey = createPublicKey(privateKey);
    this.#privateKey = privateKey;
    this.keyId = keyIdOf(publicKey);
    this.publicKeyPem = String(publicKey.export({ type: 'spki', format: 'pem' }));
    this.ephemeral = ephemeral;
  }

  /** From PKCS#8 PEM text; throws AuditKeyError when it is not an Ed25519 private key. */
  static fromPem(pem: string): AuditSigner {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (error) {
      throw new AuditKeyError(`not a PEM private key (${error instanceof Error ? error.message : String(error)})`);
    }
    return new AuditSigner(key, false);
  }

  /** A key that lives only as long as this process. */
  static ephemeral(): AuditSigner {
    return new AuditSigner(generateKeyPairSync('ed25519').privateKey, true);
  }

  /** The public half, for building a trust set. */
  publicKey(): KeyObject {
    return createPublicKey(this.#privateKey);
  }

  sign(message: string): Buffer {
    return sign(null, Buffer.from(message, 'utf8'), this.#privateKey);
  }
}

/** Public keys by id: the keys a verifier accepts checkpoint signatures from. */
export type AuditKeyRing = ReadonlyMap<string, KeyObject>;

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g;

/**
 * Every public key in PEM text (several blocks may be concatenated, e.g. the
 * current key and the one it replaced). A private key block counts as its
 * public half.
 */
export function parsePublicKeys(pemText: string): AuditKeyRing {
  const blocks = pemText.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new AuditKeyError('no PEM block found');
  const ring = new Map<string, KeyObject>();
  for (const block of blocks) {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (error) {
      throw new AuditKeyError(`not a PEM public key (${error instanceof Error ? error.message : String(error)})`);
    }
    assertEd25519(key, 'an audit public key');
    ring.set(keyIdOf(key), key);
  }
  return ring;
}

/** Ed25519 verification that never throws: a malformed signature is simply not valid. */
export function verifySignature(publicKey: KeyObject, message: string, signature: Buffer): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}
