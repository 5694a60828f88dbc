import type { z } from 'zod';
import type { EventShape } from './envelope.ts';
import { InvalidEventError, UnknownEventTypeError } from './errors.ts';

/** `<area>.<name>.v<N>`: area and name in snake_case, N from 1. */
const EVENT_TYPE = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.v([1-9][0-9]*)$/;

export function parseEventType(type: string): { family: string; version: number } | null {
  const m = EVENT_TYPE.exec(type);
  return m ? { family: `${m[1]}.${m[2]}`, version: Number(m[3]) } : null;
}

type SchemaMap = Record<string, z.ZodType>;

/** The union of `{ type, data }` for a map of event type → schema. */
export type EventsOf<S extends SchemaMap> = {
  [K in keyof S & string]: { readonly type: K; readonly data: z.output<S[K]> };
}[keyof S & string];

/** Turns data of `from` (version N) into data of the next version (N+1) of the same family. */
export interface Upcaster {
  readonly from: string;
  readonly upcast: (data: unknown) => unknown;
}

export interface CatalogueDefinition<Current extends SchemaMap> {
  /** The versions written today; exactly one per family. */
  readonly current: Current;
  /** Older versions that may still be in the log; read-only, each with an upcaster. */
  readonly legacy?: SchemaMap;
  readonly upcasters?: readonly Upcaster[];
}

/**
 * The event catalogue: every type the log may hold, its zod schema, and the
 * upcaster chain from each legacy version to the current one. The store calls
 * `encode` on append and `decode` on read, so a malformed event can neither be
 * written nor silently read.
 */
export class EventCatalogue<E extends EventShape = EventShape> {
  readonly #current = new Map<string, z.ZodType>();
  readonly #legacy = new Map<string, z.ZodType>();
  readonly #upcasters = new Map<string, (data: unknown) => unknown>();
  readonly #currentOfFamily = new Map<string, string>();

  private constructor() {}

  static create<Current extends SchemaMap>(def: CatalogueDefinition<Current>): EventCatalogue<EventsOf<Current>> {
    const cat = new EventCatalogue<EventsOf<Current>>();
    for (const [type, schema] of Object.entries(def.current)) {
      const parsed = parseEventType(type);
      if (!parsed) throw new Error(`event type ${type} must look like <area>.<name>.v<N>`);
      if (cat.#currentOfFamily.has(parsed.family))
        throw new Error(`two current versions of ${parsed.family}: ${cat.#currentOfFamily.get(parsed.family)} and ${type}`);
      cat.#currentOfFamily.set(parsed.family, type);
      cat.#current.set(type, schema);
    }
    for (const [type, schema] of Object.entries(def.legacy ?? {})) {
      const parsed = parseEventType(type);
      if (!parsed) throw new Error(`event type ${type} must look like <area>.<name>.v<N>`);
      const current = cat.#currentOfFamily.get(parsed.family);
      if (!current) throw new Error(`legacy ${type} has no current version`);
      if (parseEventType(current)!.version <= parsed.version) throw new Error(`legacy ${type} is not older than ${current}`);
      cat.#legacy.set(type, schema);
    }
    for (const u of def.upcasters ?? []) {
      if (!cat.#legacy.has(u.from)) throw new Error(`upcaster from ${u.from}: not a legacy type`);
      cat.#upcasters.set(u.from, u.upcast);
    }
    for (const type of cat.#legacy.keys())
      if (!cat.#upcasters.has(type)) throw new Error(`legacy ${type} has no upcaster`);
    return cat;
  }

  /**
   * The same types, versions and upcasters, each schema replaced by
   * `wrap(type, schema)`: how a store adapter checks events whose stored form
   * differs from their domain form (encrypted personal fields, src/privacy).
   */
  mapSchemas(wrap: (type: string, schema: z.ZodType) => z.ZodType): EventCatalogue<EventShape> {
    const mapped = new EventCatalogue<EventShape>();
    for (const [type, schema] of this.#current) mapped.#current.set(type, wrap(type, schema));
    for (const [type, schema] of this.#legacy) mapped.#legacy.set(type, wrap(type, schema));
    for (const [type, upcast] of this.#upcasters) mapped.#upcasters.set(type, upcast);
    for (const [family, type] of this.#currentOfFamily) mapped.#currentOfFamily.set(family, type);
    return mapped;
  }

  /** Every current type, sorted. */
  get types(): readonly string[] {
    return [...this.#current.keys()].sort();
  }

  has(type: string): boolean {
    return this.#current.has(type) || this.#legacy.has(type);
  }

  /** Validates an event about to be appended; returns the parsed (normalised) data. */
  encode(type: string, data: unknown): E {
    const schema = this.#current.get(type);
    if (!schema) {
      if (this.#legacy.has(type)) {
        const family = parseEventType(type)!.family;
        throw new UnknownEventTypeError(type, `superseded by ${this.#currentOfFamily.get(family)}; write the current version`);
      }
      throw new UnknownEventTypeError(type);
    }
    const result = schema.safeParse(data);
    if (!result.success) throw new InvalidEventError(type, result.error.issues);
    return { type, data: result.data } as E;
  }

  /** Turns a stored event (possibly a legacy version) into the current version, validated. */
  decode(type: string, data: unknown): E {
    let t = type;
    let d = data;
    for (;;) {
      const current = this.#current.get(t);
      if (current) {
        const result = current.safeParse(d);
        if (!result.success) throw new InvalidEventError(t, result.error.issues);
        return { type: t, data: result.data } as E;
      }
      const legacy = this.#legacy.get(t);
      if (!legacy) throw new UnknownEventTypeError(t);
      const result = legacy.safeParse(d);
      if (!result.success) throw new InvalidEventError(t, result.error.issues);
      d = this.#upcasters.get(t)!(result.data);
      const { family, version } = parseEventType(t)!;
      // The next version may itself be legacy; walk the chain one step at a time.
      t = `${family}.v${version + 1}`;
    }
  }
}
