import { z } from 'zod';
import { LogPositionSchema } from './positions.ts';

/** GET /projections: where each projection is against the head of the log. */
export const PROJECTIONS_PATH = '/projections';

/** POST /projections/:name/rebuild */
export function projectionRebuildPath(name: ProjectionName): string {
  return `${PROJECTIONS_PATH}/${encodeURIComponent(name)}/rebuild`;
}

export const ProjectionNameSchema = z
  .string()
  // "_" because the framework's names are snake_case (checkpoint keys); "-" for names older clients used.
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a projection name: lower-case letters, digits, "_" and "-"');
export type ProjectionName = z.infer<typeof ProjectionNameSchema>;

export const ProjectionStatusSchema = z.looseObject({
  name: ProjectionNameSchema,
  /** Free text owned by the projection framework (running, rebuilding, failed...). */
  status: z.string(),
  /** Checkpoint: last global position applied. */
  position: LogPositionSchema,
  /** Events between the checkpoint and the head of the log. */
  lag: z.number().int().nonnegative(),
});
export type ProjectionStatus = z.infer<typeof ProjectionStatusSchema>;

export const ProjectionsStatusSchema = z.object({
  headPosition: LogPositionSchema,
  projections: z.array(ProjectionStatusSchema),
});
export type ProjectionsStatus = z.infer<typeof ProjectionsStatusSchema>;

/** 202 answer to a rebuild request: the rebuild runs in the background. */
export const ProjectionRebuildAcceptedSchema = z.looseObject({
  name: ProjectionNameSchema,
  status: z.string(),
});
export type ProjectionRebuildAccepted = z.infer<typeof ProjectionRebuildAcceptedSchema>;
