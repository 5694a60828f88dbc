import type { Availability } from '../../events/domain/availability.ts';
import { IN_A_CALL } from '../../projections/presence/aggregate-presence.ts';
import type { AggregatedPresence as ModelPresence } from '../../projections/presence/presence-inputs.ts';
import { RpidActivitySchema, type AggregatedPresence as PidfPresence, type PidfDocument, type RpidActivity } from './pidf-model.ts';

/**
 * The two translations between PIDF and the presence model: what a PUBLISH
 * document means as a PublishPresence state, and how an aggregated presence is
 * shown to watchers.
 */

/** RFC 4480 activities that mean "do not expect an answer now" → busy, or "not at the device" → away. */
const BUSY_ACTIVITIES: ReadonlySet<string> = new Set(['busy', 'on-the-phone', 'meeting', 'appointment', 'presentation', 'performance', 'worship']);
const AWAY_ACTIVITIES: ReadonlySet<string> = new Set([
  'away', 'breakfast', 'dinner', 'meal', 'holiday', 'vacation', 'in-transit', 'travel', 'shopping', 'sleeping', 'permanent-absence', 'steering',
]);

/** The lowest code of the ladder: a published availability below it is reserved, so the document is read as if it had none. */
const LADDER_FLOOR = 3000;
/** Schema bounds of PublishPresence's free-text fields. */
const MAX_ACTIVITY = 128;
const MAX_NOTE = 1024;

export type PublicationState = {
  readonly availability: Availability | number;
  readonly activity?: string;
  readonly note?: string;
};

/**
 * What a published document says, in the order of precedence OCS clients rely
 * on: the availability number when given (the exact ladder code is kept), else
 * the first activity that names a state, else the basic status of the tuples
 * (any open tuple → available, all closed → offline, no status at all →
 * available: the device is there, publishing).
 */
export function publicationStateOf(doc: PidfDocument): PublicationState {
  const activity = doc.activities[0]?.slice(0, MAX_ACTIVITY);
  const note = [...doc.notes, ...doc.tuples.flatMap((t) => t.notes)].find((n) => n !== '')?.slice(0, MAX_NOTE);
  const extra = { ...(activity !== undefined ? { activity } : {}), ...(note !== undefined ? { note } : {}) };
  if (doc.availability !== undefined && doc.availability >= LADDER_FLOOR) return { availability: doc.availability, ...extra };
  for (const a of doc.activities) {
    if (BUSY_ACTIVITIES.has(a)) return { availability: 'busy', ...extra };
    if (AWAY_ACTIVITIES.has(a)) return { availability: 'away', ...extra };
  }
  const statuses = doc.tuples.map((t) => t.basic).filter((b) => b !== undefined);
  const closed = statuses.length > 0 && statuses.every((b) => b === 'closed');
  return { availability: closed ? 'offline' : 'available', ...extra };
}

/** The RFC 4480 activity shown for a state that has no more precise one. */
function activityOf(presence: ModelPresence): RpidActivity | undefined {
  if (presence.activity === IN_A_CALL) return 'on-the-phone';
  const named = RpidActivitySchema.safeParse(presence.activity);
  if (named.success) return named.data;
  switch (presence.availability) {
    case 'busy':
    case 'do_not_disturb':
      return 'busy';
    case 'away':
    case 'be_right_back':
      return 'away';
    case 'available':
    case 'offline':
      return undefined;
    default: {
      const never: never = presence.availability;
      return never;
    }
  }
}

/** PIDF's availability element is bounded by the pidf schema at 18000 (offline); the ladder goes on to 19999, all offline. */
const PIDF_MAX_AVAILABILITY = 18000;

/**
 * The document a watcher is sent: `closed` when the user cannot be reached
 * (offline), `open` otherwise, with the RPID activity ("on-the-phone" for a
 * call), the note, and the ladder code as Chorus's availability element. The
 * user's sip: URI is both the entity and the tuple contact.
 */
export function pidfPresenceOf(entity: string, presence: ModelPresence, at: Date): PidfPresence {
  const activity = activityOf(presence);
  return {
    entity,
    basic: presence.availability === 'offline' ? 'closed' : 'open',
    contact: entity,
    availability: Math.min(presence.code, PIDF_MAX_AVAILABILITY),
    timestamp: at,
    ...(activity !== undefined ? { activity } : {}),
    ...(presence.note !== null ? { note: presence.note } : {}),
  };
}

/** Same shown state: a NOTIFY that would repeat the last one is not sent. */
export function samePresence(a: ModelPresence, b: ModelPresence): boolean {
  return a.availability === b.availability && a.code === b.code && a.activity === b.activity && a.note === b.note;
}
