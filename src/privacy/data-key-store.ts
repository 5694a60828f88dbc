import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { logger as moduleLogger, type Logger } from '../logging/logger.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { DataKey } from './data-key.ts';
import { DATA_KEY_SCHEMA_LOCK_KEY } from '../events/store/sql/lock-keys.ts';

/** 0x63686f7275730030: "chorus" then the purpose number, like the event log's locks (src/events/store/sql/lock-keys.ts). */
const KEY_SCHEMA_LOCK = `SELECT pg_advisory_xact_lock(${DATA_KEY_SCHEMA_LOCK_KEY})`;

/**
 * One row per data key. A subject has at most one live key; destroying it
 * nulls the material and keeps the row, so a token naming it reads as erased
 * (not as corruption), and a later key for the same address gets a new id.
 */
const CREATE_KEY_TABLE = /* sql */ `
CREATE TABLE IF NOT EXISTS chorus_data_keys (
  key_id       uuid        PRIMARY KEY,
  subject      text        NOT NULL,
  material     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  CHECK ((material IS NULL) = (destroyed_at IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS chorus_data_keys_live_subject ON chorus_data_keys (subject) WHERE material IS NOT NULL;
`;

// Arrays travel as JSON text: the same SQL on PGlite and PostgreSQL, no driver-specific array binding.
const INSERT_KEYS = /* sql */ `
INSERT INTO chorus_data_keys (key_id, subject, material)
SELECT k.key_id, k.subject, k.material FROM jsonb_to_recordset($1::jsonb) AS k(key_id uuid, subject text, material text)
ON CONFLICT (subject) WHERE material IS NOT NULL DO NOTHING`;
const SELECT_LIVE_BY_SUBJECT = /* sql */ `
SELECT key_id::text AS key_id, subject, material FROM chorus_data_keys
WHERE material IS NOT NULL AND subject IN (SELECT jsonb_array_elements_text($1::jsonb))`;
const SELECT_BY_ID = /* sql */ `
SELECT key_id::text AS key_id, subject, material FROM chorus_data_keys
WHERE key_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`;
const DESTROY_SUBJECT = /* sql */ `
UPDATE chorus_data_keys SET material = NULL, destroyed_at = now()
WHERE subject = $1 AND material IS NOT NULL RETURNING key_id::text AS key_id`;
const SELECT_LIVE_KEY_IDS = /* sql */ `SELECT key_id::text AS key_id FROM chorus_data_keys WHERE subject = $1 AND material IS NOT NULL`;

const KeyRow = z.object({ key_id: z.uuid(), subject: z.string(), material: z.string().nullable() });
const KeyIdRow = z.object({ key_id: z.uuid() });

export interface DataKeyStoreOptions {
  /**
   * How long a live key stays cached. Another process (a projector, the CLI)
   * that destroys a key is noticed here after at most this long; a key
   * destroyed through this object is dropped at once. Default 30,000 ms.
   */
  readonly cacheTtlMs?: number;
  /** Default `logger('privacy-keys')`. */
  readonly logger?: Logger;
  /** For tests. Default `Date.now`. */
  readonly now?: () => number;
}

interface CachedKey {
  readonly key: DataKey | null;
  /** Infinity for a destroyed key: destruction is final. */
  readonly until: number;
}

const DEFAULT_CACHE_TTL_MS = 30_000;

/**
 * The per-subject data keys, in a table of the database that holds the log
 * (`chorus_data_keys`). Keys are created on first use and destroyed to forget
 * a subject; nothing else ever changes a row.
 */
export class DataKeyStore {
  readonly #client: SqlClient;
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #byId = new Map<string, CachedKey>();
  readonly #liveBySubject = new Map<string, { readonly key: DataKey; readonly until: number }>();

  private constructor(client: SqlClient, options: DataKeyStoreOptions) {
    this.#client = client;
    this.#ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.#log = options.logger ?? moduleLogger('privacy-keys');
    this.#now = options.now ?? Date.now;
  }

  /** Creates the key table when missing (two processes starting at once serialise on an advisory lock). */
  static async open(client: SqlClient, options: DataKeyStoreOptions = {}): Promise<DataKeyStore> {
    await client.transaction(async (tx) => {
      await tx.query(KEY_SCHEMA_LOCK);
      await tx.exec(CREATE_KEY_TABLE);
    });
    return new DataKeyStore(client, options);
  }

  /** The live key of each subject, created for those that have none. */
  async liveKeys(subjects: readonly string[]): Promise<Map<string, DataKey>> {
    const now = this.#now();
    const result = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const cached = this.#liveBySubject.get(subject);
      if (cached && cached.until > now) result.set(subject, cached.key);
      else missing.push(subject);
    }
    if (missing.length === 0) return result;
    await this.#readLive(missing, result, now);
    const absent = missing.filter((subject) => !result.has(subject));
    if (absent.length === 0) return result;
    const fresh = absent.map((subject) => ({ key_id: randomUUID(), subject, material: DataKey.generateMaterial().toString('base64') }));
    // A concurrent writer may create the same subject's key first; ON CONFLICT keeps theirs and the SELECT reads it.
    await this.#client.query(INSERT_KEYS, [JSON.stringify(fresh)]);
    await this.#readLive(absent, result, now);
    for (const subject of absent)
      if (!result.has(subject)) throw new Error(`no live data key for ${subject} after creating one`);
    return result;
  }

  async #readLive(subjects: readonly string[], into: Map<string, DataKey>, now: number): Promise<void> {
    const { rows } = await this.#client.query(SELECT_LIVE_BY_SUBJECT, [JSON.stringify(subjects)]);
    for (const raw of rows) {
      const row = KeyRow.parse(raw);
      if (row.material === null) continue;
      const key = new DataKey(row.key_id, Buffer.from(row.material, 'base64'));
      this.#remember(row.subject, row.key_id, key, now);
      into.set(row.subject, key);
    }
  }

  /** The key behind each id; null for a destroyed (or unknown) key, whose fields read as erased. */
  async keysById(ids: readonly string[]): Promise<Map<string, DataKey | null>> {
    const now = this.#now();
    const result = new Map<string, DataKey | null>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#byId.get(id);
      if (cached && cached.until > now) result.set(id, cached.key);
      else missing.push(id);
    }
    if (missing.length === 0) return result;
    const { rows } = await this.#client.query(SELECT_BY_ID, [JSON.stringify(missing)]);
    for (const raw of rows) {
      const row = KeyRow.parse(raw);
      if (row.material === null) {
        this.#byId.set(row.key_id, { key: null, until: Infinity });
        result.set(row.key_id, null);
      } else {
        const key = new DataKey(row.key_id, Buffer.from(row.material, 'base64'));
        this.#remember(row.subject, row.key_id, key, now);
        result.set(row.key_id, key);
      }
    }
    for (const id of missing) {
      if (result.has(id)) continue;
      // Not cached: the row may be committed by another process a moment later.
      this.#log.warn({ keyId: id }, 'a sealed field names a data key that does not exist; it reads as erased');
      result.set(id, null);
    }
    return result;
  }

  /** Ids of the subject's live keys (at most one). */
  async liveKeyIdsOf(subject: string): Promise<string[]> {
    const { rows } = await this.#client.query(SELECT_LIVE_KEY_IDS, [subject]);
    return rows.map((raw) => KeyIdRow.parse(raw).key_id);
  }

  /**
   * Destroys the subject's live key (there is at most one) and returns its
   * id, or none when it had none. Then compacts the table so the old row
   * version holding the material does not linger in the heap; WAL, replicas
   * and backups still hold it until they expire (docs/privacy.md).
   */
  async destroy(subject: string): Promise<string[]> {
    const { rows } = await this.#client.query(DESTROY_SUBJECT, [subject]);
    const ids = rows.map((raw) => KeyIdRow.parse(raw).key_id);
    this.#liveBySubject.delete(subject);
    for (const id of ids) this.#byId.set(id, { key: null, until: Infinity });
    if (ids.length > 0) {
      try {
        await this.#client.exec('VACUUM FULL chorus_data_keys');
      } catch (error) {
        this.#log.warn({ err: error }, 'VACUUM FULL chorus_data_keys failed; the destroyed key stays in a dead row version until the next vacuum');
      }
    }
    return ids;
  }

  #remember(subject: string, id: string, key: DataKey, now: number): void {
    const until = now + this.#ttlMs;
    this.#liveBySubject.set(subject, { key, until });
    this.#byId.set(id, { key, until });
  }
}
