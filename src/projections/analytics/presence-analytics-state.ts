import { z } from 'zod';
import { AvailabilitySchema } from '../../events/domain/availability.ts';
import type { TrackedCall } from '../presence/call-parties.ts';
import { emptyPresenceRecord, type PresenceRecord } from '../presence/presence-view-state.ts';

/*
 * The presence model's per-user inputs and tracked calls as the presence
 * analytics projection stores them between batches (jsonb), so each batch can
 * fold its events with the presence view's own `applyPresenceEvent` and
 * aggregate with `aggregatePresence`: the time-in-state report can never
 * disagree with what watchers were shown. Arrays are sorted by key so a
 * record's JSON does not depend on the order its inputs arrived in.
 */

const PublicationSchema = z.object({
  endpointId: z.string(),
  availability: AvailabilitySchema,
  code: z.number().int(),
  activity: z.string().nullable(),
  note: z.string().nullable(),
  etag: z.string(),
  expiresAt: z.string(),
});

export const StoredInputsSchema = z.object({
  endpoints: z.array(z.tuple([z.string(), z.string()])),
  publications: z.array(PublicationSchema),
  userState: z
    .object({ availability: AvailabilitySchema, code: z.number().int(), note: z.string().nullable(), until: z.string().nullable() })
    .nullable(),
  calls: z.array(z.string()),
});
export type StoredInputs = z.infer<typeof StoredInputsSchema>;

export const StoredCallSchema = z.object({
  sipCallId: z.string(),
  caller: z.string(),
  routedTarget: z.string().nullable(),
  answered: z.boolean(),
  parkedBy: z.string().nullable(),
  parties: z.array(z.string()),
});

const byKey = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function storeInputs(record: PresenceRecord): StoredInputs {
  return {
    endpoints: [...record.endpoints].sort(byKey(([id]) => id)),
    publications: [...record.publications.values()].sort(byKey((p) => p.endpointId)),
    userState: record.userState,
    calls: [...record.calls].sort(),
  };
}

export function loadInputs(value: unknown): PresenceRecord {
  const stored = StoredInputsSchema.parse(value);
  const record = emptyPresenceRecord();
  for (const [id, expiresAt] of stored.endpoints) record.endpoints.set(id, expiresAt);
  for (const p of stored.publications) record.publications.set(p.endpointId, p);
  record.userState = stored.userState;
  for (const id of stored.calls) record.calls.add(id);
  return record;
}

export function loadCall(value: unknown): TrackedCall {
  return StoredCallSchema.parse(value);
}
