import { z } from 'zod';

/**
 * What the writer believes about the stream before appending:
 * - a number: the version (0-based) of the stream's last event;
 * - `no_stream`: the stream has no events yet;
 * - `exists`: the stream has at least one event;
 * - `any`: no check.
 */
export const ExpectedVersionSchema = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.literal('no_stream'),
  z.literal('exists'),
  z.literal('any'),
]);
export type ExpectedVersion = z.infer<typeof ExpectedVersionSchema>;
