import {
  conferenceEvents,
  type ConferenceAccess,
  type ConferenceEvent,
  type ConferenceRole,
  type Modality,
} from '../../events/domain/conference-events.ts';
import { assertNever } from '../decider.ts';

export const CONFERENCE_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(conferenceEvents));

export interface Participant {
  readonly role: ConferenceRole;
  readonly modalities: readonly Modality[];
  readonly muted: boolean;
}

export interface LobbyEntry {
  readonly role: ConferenceRole;
  readonly modality: Modality;
}

export interface Conference {
  readonly status: 'scheduled' | 'active' | 'ended';
  readonly conferenceId: string;
  readonly organizer: string;
  readonly access: ConferenceAccess;
  readonly pin: string | null;
  /** By participant URI. */
  readonly participants: ReadonlyMap<string, Participant>;
  readonly lobby: ReadonlyMap<string, LobbyEntry>;
}

export type ConferenceState = { readonly status: 'none' } | Conference;

export function initialConferenceState(): ConferenceState {
  return { status: 'none' };
}

function conference(state: ConferenceState, type: string): Conference {
  if (state.status === 'none') throw new Error(`conference stream is corrupt: ${type} before scheduled`);
  return state;
}

function join(c: Conference, uri: string, role: ConferenceRole, modality: Modality): Conference {
  const before = c.participants.get(uri);
  const participants = new Map(c.participants);
  participants.set(uri, {
    role,
    modalities: before ? [...before.modalities, modality] : [modality],
    muted: before?.muted ?? false,
  });
  const lobby = new Map(c.lobby);
  lobby.delete(uri);
  return { ...c, participants, lobby };
}

function setMuted(c: Conference, uri: string, muted: boolean): Conference {
  const p = c.participants.get(uri);
  if (!p) throw new Error(`conference stream is corrupt: mute of absent participant ${uri}`);
  const participants = new Map(c.participants);
  participants.set(uri, { ...p, muted });
  return { ...c, participants };
}

export function evolveConference(state: ConferenceState, event: ConferenceEvent): ConferenceState {
  switch (event.type) {
    case 'conference.scheduled.v1': {
      const d = event.data;
      return {
        status: 'scheduled',
        conferenceId: d.conferenceId,
        organizer: d.organizer,
        access: d.access,
        pin: d.pin,
        participants: new Map(),
        lobby: new Map(),
      };
    }
    case 'conference.activated.v1':
      return { ...conference(state, event.type), status: 'active' };
    case 'conference.participant_joined.v1':
    case 'conference.participant_admitted.v1': {
      const d = event.data;
      return join(conference(state, event.type), d.participant, d.role, d.modality);
    }
    case 'conference.participant_lobbied.v1': {
      const c = conference(state, event.type);
      const lobby = new Map(c.lobby);
      lobby.set(event.data.participant, { role: event.data.role, modality: event.data.modality });
      return { ...c, lobby };
    }
    case 'conference.participant_left.v1': {
      const c = conference(state, event.type);
      const participants = new Map(c.participants);
      const lobby = new Map(c.lobby);
      participants.delete(event.data.participant);
      lobby.delete(event.data.participant);
      return { ...c, participants, lobby };
    }
    case 'conference.participant_muted.v1':
      return setMuted(conference(state, event.type), event.data.participant, true);
    case 'conference.participant_unmuted.v1':
      return setMuted(conference(state, event.type), event.data.participant, false);
    case 'conference.locked.v1':
      return { ...conference(state, event.type), access: 'locked' };
    case 'conference.unlocked.v1':
      return { ...conference(state, event.type), access: event.data.access };
    case 'conference.ended.v1':
      return { ...conference(state, event.type), status: 'ended', participants: new Map(), lobby: new Map() };
    default:
      return assertNever(event, 'conference event');
  }
}
