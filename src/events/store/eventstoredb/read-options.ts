import { z } from 'zod';
import type { ReadAllFilter } from '../../event-store.ts';
import { InvalidArgumentError } from '../../errors.ts';

const MAX_LIMIT = 10_000;
const DEFAULT_LIMIT = 1_000;
const DEFAULT_BATCH = 500;

const Limit = z.number().int().min(1).max(MAX_LIMIT);
const FilterSchema = z
  .strictObject({
    typePrefixes: z.array(z.string().min(1)).readonly().optional(),
    categories: z.array(z.string().min(1)).readonly().optional(),
  })
  .optional();

const ReadStreamOptionsSchema = z.strictObject({
  direction: z.enum(['forward', 'backward']).default('forward'),
  fromVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: Limit.default(DEFAULT_LIMIT),
});

const ReadAllOptionsSchema = z.strictObject({
  after: z.bigint().min(0n).default(0n),
  limit: Limit.default(DEFAULT_LIMIT),
  filter: FilterSchema,
});

const SubscribeOptionsSchema = z.strictObject({
  after: z.bigint().min(0n),
  filter: FilterSchema,
  batchSize: Limit.default(DEFAULT_BATCH),
  onCaughtUp: z.custom<(position: bigint) => void>((v) => typeof v === 'function').optional(),
});

export type ParsedReadStreamOptions = z.output<typeof ReadStreamOptionsSchema>;
export type ParsedReadAllOptions = z.output<typeof ReadAllOptionsSchema> & { filter?: ReadAllFilter };
export type ParsedSubscribeOptions = z.output<typeof SubscribeOptionsSchema> & { filter?: ReadAllFilter };

export function parseReadStreamOptions(options: unknown): ParsedReadStreamOptions {
  return parse('readStream', ReadStreamOptionsSchema, options ?? {});
}

export function parseReadAllOptions(options: unknown): ParsedReadAllOptions {
  return parse('readAll', ReadAllOptionsSchema, options ?? {});
}

export function parseSubscribeOptions(options: unknown): ParsedSubscribeOptions {
  return parse('subscribe', SubscribeOptionsSchema, options);
}

function parse<S extends z.ZodType>(call: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`)
    .join('; ');
  throw new InvalidArgumentError(`${call} options are invalid: ${detail}`);
}
