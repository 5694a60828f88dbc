import { z } from 'zod';

/**
 * The communication workloads a compliance officer filters by. Every event
 * type belongs to exactly one, by its area (the part before the first dot);
 * `directory` (provisioning, credentials), `voice` (forwarding, dial plans,
 * routes) and `privacy` (legal holds, erasure) are not communications but
 * belong in a full export. A test checks that every catalogue type has one.
 */
export const WORKLOADS = ['im', 'presence', 'calls', 'conferences', 'registrations', 'directory', 'voice', 'privacy'] as const;
export const WorkloadSchema = z.enum(WORKLOADS);
export type Workload = z.infer<typeof WorkloadSchema>;

/** The event-type prefix of each workload, as `ReadAllFilter.typePrefixes` takes it. */
export const WORKLOAD_TYPE_PREFIX: { readonly [W in Workload]: string } = {
  im: 'im.',
  presence: 'presence.',
  calls: 'call.',
  conferences: 'conference.',
  registrations: 'endpoint.',
  directory: 'directory.',
  voice: 'voice.',
  privacy: 'privacy.',
};

/** The workload of an event type; throws for an area no workload covers (a new area must be classified here). */
export function workloadOf(eventType: string): Workload {
  const area = eventType.slice(0, eventType.indexOf('.') + 1);
  for (const workload of WORKLOADS) if (WORKLOAD_TYPE_PREFIX[workload] === area) return workload;
  throw new RangeError(`event type ${eventType} belongs to no workload`);
}

/** `im,calls` as typed on a command line or in a query string: deduplicated, in WORKLOADS order (so equal filters print equal). */
export const WorkloadListSchema = z
  .string()
  .min(1)
  .transform((text) => text.split(',').map((w) => w.trim()))
  .pipe(z.array(WorkloadSchema).min(1))
  .transform((list) => WORKLOADS.filter((w) => list.includes(w)));
