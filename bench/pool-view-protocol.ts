/** Messages from bench/pool-view-child.ts (a front end's Kafka-fed view in its own process) to bench/pool.bench.ts. */
import { z } from 'zod';

export const PoolViewReportSchema = z.discriminatedUnion('type', [
  /** The view is started and live at `position` (a decimal string). */
  z.object({ type: z.literal('ready'), position: z.string().regex(/^\d+$/) }),
  /**
   * The view's position moved to `position` at `at`: `performance.timeOrigin + performance.now()`
   * in the child, comparable with the parent's on the same machine.
   */
  z.object({ type: z.literal('visible'), position: z.string().regex(/^\d+$/), at: z.number() }),
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type PoolViewReport = z.infer<typeof PoolViewReportSchema>;

/** The wall clock in milliseconds with sub-millisecond resolution, the same in every process of a machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();
