import { z } from 'zod';
import { evolveConference, initialConferenceState, CONFERENCE_EVENT_TYPES } from '../../commands/conference/conference-state.ts';
import { conferenceStreamId } from '../../commands/stream-ids.ts';
import type { ConferenceEvent } from '../../events/domain/conference-events.ts';
import { ConferenceAccessSchema, ConferenceRoleSchema, ModalitySchema } from '../../events/domain/conference-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { NotFoundAtInstantError } from './not-found-at-instant-error.ts';
import { streamEventsAsOf } from './stream-as-of.ts';

/** A conference at an instant: GET /replay/conferences/{id}?at= and `chorus replay --conference`. */
export const ConferenceAsOfStateSchema = z.object({
  status: z.enum(['scheduled', 'active', 'ended']),
  organizer: z.string(),
  /** `locked` while locked; otherwise how newcomers get in. */
  access: ConferenceAccessSchema,
  locked: z.boolean(),
  roster: z.array(z.object({ participant: z.string(), role: ConferenceRoleSchema, modalities: z.array(ModalitySchema), muted: z.boolean() })),
  lobby: z.array(z.object({ participant: z.string(), role: ConferenceRoleSchema, modality: ModalitySchema })),
});
export type ConferenceAsOfState = z.infer<typeof ConferenceAsOfStateSchema>;

export interface ConferenceAsOf {
  readonly conferenceId: string;
  readonly at: string;
  /** Global position of the conference's last event folded in. */
  readonly position: bigint;
  readonly state: ConferenceAsOfState;
}

const byKey = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The conference aggregate's own `evolve` over its stream up to `at`: roster, lock and roles as the decider saw them. */
export async function conferenceAsOf(store: EventStore<DomainEvent>, conferenceId: string, at: string): Promise<ConferenceAsOf> {
  let streamId: string;
  try {
    streamId = conferenceStreamId(conferenceId);
  } catch {
    throw new NotFoundAtInstantError('conference', conferenceId, at);
  }
  const events = await streamEventsAsOf(store, streamId, at);
  let state = initialConferenceState();
  let position = 0n;
  for (const event of events) {
    if (!CONFERENCE_EVENT_TYPES.has(event.type)) continue;
    state = evolveConference(state, event as unknown as ConferenceEvent);
    position = event.globalPosition;
  }
  if (state.status === 'none') throw new NotFoundAtInstantError('conference', conferenceId, at);
  return {
    conferenceId,
    at,
    position,
    state: {
      status: state.status,
      organizer: state.organizer,
      access: state.access,
      locked: state.access === 'locked',
      roster: byKey(state.participants).map(([participant, p]) => ({ participant, role: p.role, modalities: [...p.modalities], muted: p.muted })),
      lobby: byKey(state.lobby).map(([participant, l]) => ({ participant, role: l.role, modality: l.modality })),
    },
  };
}
