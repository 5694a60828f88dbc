import { z } from 'zod';
import { LogPositionSchema } from './positions.ts';

/**
 * Every 2xx answer to a write carries `position`: the global log position of
 * its last event (or, when the write changed nothing, the head of the log when
 * it was decided). A reader that waits for that position sees the write.
 */
export const WriteAcceptedSchema = z
  .looseObject({
    position: LogPositionSchema,
    /** False when the command was already in effect and nothing was appended. */
    written: z.boolean(),
  })
  .meta({ id: 'WriteAccepted' });
export type WriteAccepted = z.infer<typeof WriteAcceptedSchema>;
