import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** AES-256: the key material is 32 random bytes. */
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealedFieldError extends Error {
  readonly code = 'sealed_field_corrupt';

  constructor(message: string) {
    super(message);
    this.name = 'SealedFieldError';
  }
}

/**
 * One data subject's key. Values are sealed with AES-256-GCM; the IV is
 * synthetic (HMAC-SHA-256 of event id, field path and plaintext under a second
 * key derived from the same material), so sealing the same event twice gives
 * the same bytes: re-appending an event stays an idempotent no-op in the log,
 * and two different plaintexts share an IV only on a 96-bit HMAC collision.
 * The event id is the additional authenticated data, so a sealed value cannot
 * be moved into another event unnoticed.
 */
export class DataKey {
  readonly id: string;
  readonly #encryptionKey: Buffer;
  readonly #ivKey: Buffer;

  constructor(id: string, material: Uint8Array) {
    if (material.length !== DATA_KEY_BYTES) throw new RangeError(`a data key is ${DATA_KEY_BYTES} bytes, got ${material.length}`);
    this.id = id;
    this.#encryptionKey = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'chorus data key v1: aes-256-gcm', 32));
    this.#ivKey = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'chorus data key v1: synthetic iv', 32));
  }

  static generateMaterial(): Buffer {
    return randomBytes(DATA_KEY_BYTES);
  }

  /** iv ‖ ciphertext ‖ tag of `plaintext`, bound to `eventId`. */
  seal(eventId: string, path: string, plaintext: string): Buffer {
    const iv = createHmac('sha256', this.#ivKey).update(`${eventId}\u0000${path}\u0000`).update(plaintext, 'utf8').digest().subarray(0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(eventId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  /** The plaintext; SealedFieldError when the bytes were not sealed by this key for this event. */
  open(eventId: string, sealed: Uint8Array): string {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new SealedFieldError(`sealed value of event ${eventId} is truncated`);
    const buf = Buffer.from(sealed);
    const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(eventId, 'utf8'));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedFieldError(`sealed value of event ${eventId} fails authentication with key ${this.id}`);
    }
  }
}
