/** Messages between bench/sip.bench.ts and its watcher process bench/sip-watchers.ts (see there). */
import { z } from 'zod';

export const WatcherCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    host: z.string(),
    port: z.number().int().positive(),
    domain: z.string(),
    /** Each watcher subscribes to its own presentity (a user name in `domain`). */
    watchers: z.array(z.object({ user: z.string(), password: z.string(), presentity: z.string() })),
    concurrency: z.number().int().positive(),
  }),
  z.object({ type: z.literal('register'), host: z.string(), port: z.number().int().positive(), domain: z.string(), user: z.string(), password: z.string() }),
  z.object({ type: z.literal('publish'), domain: z.string(), user: z.string(), password: z.string(), note: z.string() }),
  z.object({ type: z.literal('collect') }),
  z.object({ type: z.literal('close') }),
]);
export type WatcherCommand = z.infer<typeof WatcherCommandSchema>;

export const WatcherReportSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    subscribed: z.number(),
    failed: z.number(),
    /** SUBSCRIBEs answered 500 and tried again (see RETRY_500 in sip-watchers.ts). */
    retried500: z.number(),
    firstError: z.string().nullable(),
    seconds: z.number(),
  }),
  z.object({ type: z.literal('registered'), error: z.string().nullable() }),
  /** t0: when the authenticated PUBLISH was sent (performance.timeOrigin + performance.now() of the watcher process). */
  z.object({ type: z.literal('published'), t0: z.number().nullable(), status: z.number().nullable(), error: z.string().nullable() }),
  z.object({ type: z.literal('arrivals'), at: z.array(z.number().nullable()) }),
]);
export type WatcherReport = z.infer<typeof WatcherReportSchema>;
