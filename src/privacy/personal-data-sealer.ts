import type { DataKey } from './data-key.ts';
import { personalFieldsOf, type JsonValue, type PersonalField } from './personal-fields.ts';
import { formatSealedToken, parseSealedToken } from './sealed-token.ts';

/**
 * Pure field surgery for the sealing store: which subjects an event's
 * personal fields belong to, the event's data with those fields sealed, and
 * the data with sealed fields opened (or erased). Data is never mutated: the
 * objects along a changed path are copied.
 */

type JsonObject = { readonly [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

function withValueAt(data: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  if (!isObject(data)) return data;
  const [head, ...rest] = path as [string, ...string[]];
  if (!(head in data)) return data;
  return { ...data, [head]: withValueAt(data[head], rest, value) };
}

/** Fields that hold a value worth sealing: present, not null, with an owner named in the event. */
function sealable(type: string, data: unknown): { field: PersonalField; owner: string; value: unknown }[] {
  return personalFieldsOf(type).flatMap((field) => {
    const value = valueAt(data, field.path);
    const owner = field.owner(data);
    return value === undefined || value === null || owner === null || parseSealedToken(value) !== null ? [] : [{ field, owner, value }];
  });
}

/** The subjects whose keys sealing this event needs. */
export function ownersOf(type: string, data: unknown): string[] {
  return sealable(type, data).map((s) => s.owner);
}

/** `data` with each personal field replaced by a token sealed with its owner's key (from `keys`). */
export function sealData(eventId: string, type: string, data: unknown, keys: ReadonlyMap<string, DataKey>): unknown {
  let sealed = data;
  for (const { field, owner, value } of sealable(type, data)) {
    const key = keys.get(owner);
    if (!key) throw new Error(`no data key for ${owner}`);
    const path = field.path.join('.');
    sealed = withValueAt(sealed, field.path, formatSealedToken(key.id, key.seal(eventId, path, JSON.stringify(value))));
  }
  return sealed;
}

/** Key ids named by the sealed fields of this stored event. */
export function sealedKeyIds(type: string, data: unknown): string[] {
  return personalFieldsOf(type).flatMap((field) => {
    const token = parseSealedToken(valueAt(data, field.path));
    return token === null ? [] : [token.keyId];
  });
}

/**
 * `data` with each sealed field opened, or set to its erased placeholder when
 * its key is gone (`null` in `keys`). A value that is not a token (written
 * before sealing existed) is returned as it is.
 */
export function openData(eventId: string, type: string, data: unknown, keys: ReadonlyMap<string, DataKey | null>): unknown {
  let opened = data;
  for (const field of personalFieldsOf(type)) {
    const token = parseSealedToken(valueAt(data, field.path));
    if (token === null) continue;
    const key = keys.get(token.keyId) ?? null;
    const value: unknown = key === null ? field.erased : (JSON.parse(key.open(eventId, token.sealed)) as unknown);
    opened = withValueAt(opened, field.path, value);
  }
  return opened;
}

/** `data` as it reads once every sealed field is erased: what the stored form is checked against. */
export function erasedData(type: string, data: unknown): unknown {
  let erased = data;
  for (const field of personalFieldsOf(type))
    if (parseSealedToken(valueAt(data, field.path)) !== null) erased = withValueAt(erased, field.path, field.erased as JsonValue);
  return erased;
}
