import { z } from 'zod';
import { InvalidArgumentError } from '../../errors.ts';
import type { ReadAllFilter, ReadAllOptions, ReadStreamOptions, SubscribeOptions } from '../../event-store.ts';

export const DEFAULT_READ_LIMIT = 1000;
export const MAX_READ_LIMIT = 10_000;
export const DEFAULT_SUBSCRIPTION_BATCH = 500;

const Limit = z.number().int().min(1).max(MAX_READ_LIMIT);

// An empty list is refused rather than read as "match nothing" or "match all": both guesses hide bugs.
const FilterSchema = z.strictObject({
  typePrefixes: z.array(z.string().min(1)).min(1).optional(),
  categories: z.array(z.string().min(1)).min(1).optional(),
});

const ReadStreamOptionsSchema = z.strictObject({
  direction: z.enum(['forward', 'backward']).default('forward'),
  fromVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: Limit.default(DEFAULT_READ_LIMIT),
});

const ReadAllOptionsSchema = z.strictObject({
  after: z.bigint().min(0n).default(0n),
  limit: Limit.default(DEFAULT_READ_LIMIT),
  filter: FilterSchema.optional(),
});

const SubscribeOptionsSchema = z.strictObject({
  after: z.bigint().min(0n),
  filter: FilterSchema.optional(),
  batchSize: Limit.default(DEFAULT_SUBSCRIPTION_BATCH),
  onCaughtUp: z.custom<(position: bigint) => void>((v) => typeof v === 'function').optional(),
});

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new InvalidArgumentError(`${what}: ${detail}`);
}

export type ParsedReadStreamOptions = z.output<typeof ReadStreamOptionsSchema>;
export type ParsedReadAllOptions = z.output<typeof ReadAllOptionsSchema>;
export type ParsedSubscribeOptions = z.output<typeof SubscribeOptionsSchema>;

export const parseReadStreamOptions = (o: ReadStreamOptions | undefined): ParsedReadStreamOptions =>
  parseOrThrow(ReadStreamOptionsSchema, o ?? {}, 'readStream options');
export const parseReadAllOptions = (o: ReadAllOptions | undefined): ParsedReadAllOptions =>
  parseOrThrow(ReadAllOptionsSchema, o ?? {}, 'readAll options');
export const parseSubscribeOptions = (o: SubscribeOptions): ParsedSubscribeOptions =>
  parseOrThrow(SubscribeOptionsSchema, o, 'subscribe options');

/** `presence.` → `presence.%`, with LIKE's own wildcards (event types contain `_`) escaped. */
export function typePrefixPatterns(filter: ReadAllFilter | undefined): string[] | null {
  if (!filter?.typePrefixes) return null;
  return filter.typePrefixes.map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

export function categoryList(filter: ReadAllFilter | undefined): string[] | null {
  return filter?.categories ? [...filter.categories] : null;
}
