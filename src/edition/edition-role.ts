/**
 * Which parts of a pool a process runs. `all` is the Standard Edition: one
 * process with log, projections, SIP and HTTP. Split roles (front end,
 * projector) come with the Enterprise deployment.
 */
export const EDITION_ROLES = ['all'] as const;
export type EditionRole = (typeof EDITION_ROLES)[number];
