import type { ConferenceEvent } from '../../events/domain/conference-events.ts';
import { assertNever, type DecisionContext, type Decider } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import { isBefore, toUtc } from '../time.ts';
import type { ConferenceCommand, ConferenceCommandOf } from './conference-commands.ts';
import {
  CONFERENCE_EVENT_TYPES,
  evolveConference,
  initialConferenceState,
  type Conference,
  type ConferenceState,
} from './conference-state.ts';

/** The conference a command acts on: it must exist and not have ended. */
function live(state: ConferenceState, what: string): Conference {
  if (state.status === 'none') throw new DomainError('conference_not_found', `${what}: no such conference`);
  if (state.status === 'ended') throw new DomainError('conference_ended', `${what}: conference ${state.conferenceId} has ended`);
  return state;
}

/** The organizer leads even before joining; anyone else leads only as a joined presenter. */
function isPresenter(c: Conference, uri: string): boolean {
  return uri === c.organizer || c.participants.get(uri)?.role === 'presenter';
}

function assertPresenter(c: Conference, by: string, what: string): void {
  if (!isPresenter(c, by)) throw new DomainError('not_a_presenter', `${what}: ${by} is not a presenter of ${c.conferenceId}`);
}

function schedule(command: ConferenceCommandOf<'ScheduleConference'>, state: ConferenceState, context: DecisionContext): ConferenceEvent[] {
  const d = command.data;
  if (state.status !== 'none') throw new DomainError('conference_exists', `conference ${state.conferenceId} already exists`);
  const now = context.now();
  if (!isBefore(d.startsAt, d.endsAt))
    throw new DomainError('invalid_schedule', `endsAt ${d.endsAt} is not after startsAt ${d.startsAt}`);
  if (!isBefore(now, d.endsAt)) throw new DomainError('invalid_schedule', `endsAt ${d.endsAt} is already past`);
  return [
    {
      type: 'conference.scheduled.v1',
      data: {
        conferenceId: d.conferenceId,
        organizer: d.organizer,
        subject: d.subject ?? '',
        startsAt: toUtc(d.startsAt),
        endsAt: toUtc(d.endsAt),
        access: d.access ?? 'open',
        pin: d.pin ?? null,
        at: now,
      },
    },
  ];
}

function joinConference(command: ConferenceCommandOf<'JoinConference'>, state: ConferenceState, context: DecisionContext): ConferenceEvent[] {
  const c = live(state, command.type);
  const { participant, modality, pin } = command.data;
  const at = context.now();
  const ref = { conferenceId: c.conferenceId, at };
  const isOrganizer = participant === c.organizer;
  const role = isOrganizer ? 'presenter' : command.data.role;
  const current = c.participants.get(participant);
  if (current) {
    // Already in: adding a modality needs no new admission; repeating one is a retransmission.
    if (current.modalities.includes(modality)) return [];
    return [{ type: 'conference.participant_joined.v1', data: { ...ref, participant, role: current.role, modality } }];
  }
  if (c.lobby.has(participant)) return [];
  if (pin !== undefined && pin !== c.pin) throw new DomainError('invalid_pin', `wrong PIN for conference ${c.conferenceId}`);
  if (c.access === 'locked' && !isOrganizer)
    throw new DomainError('conference_locked', `conference ${c.conferenceId} is locked`);
  const events: ConferenceEvent[] = [];
  if (c.status === 'scheduled') events.push({ type: 'conference.activated.v1', data: ref });
  const bypassesLobby = isOrganizer || pin !== undefined;
  const type = c.access === 'lobby' && !bypassesLobby ? 'conference.participant_lobbied.v1' : 'conference.participant_joined.v1';
  events.push({ type, data: { ...ref, participant, role, modality } });
  return events;
}

function admit(command: ConferenceCommandOf<'AdmitParticipant'>, state: ConferenceState, context: DecisionContext): ConferenceEvent[] {
  const c = live(state, command.type);
  const { participant, by } = command.data;
  assertPresenter(c, by, command.type);
  const waiting = c.lobby.get(participant);
  if (!waiting) throw new DomainError('not_in_lobby', `${participant} is not waiting in the lobby of ${c.conferenceId}`);
  return [
    {
      type: 'conference.participant_admitted.v1',
      data: { conferenceId: c.conferenceId, participant, role: waiting.role, modality: waiting.modality, admittedBy: by, at: context.now() },
    },
  ];
}

function leave(command: ConferenceCommandOf<'LeaveConference'>, state: ConferenceState, context: DecisionContext): ConferenceEvent[] {
  const c = live(state, command.type);
  const { participant } = command.data;
  const by = command.data.by ?? participant;
  if (!c.participants.has(participant) && !c.lobby.has(participant))
    throw new DomainError('not_a_participant', `${participant} is not in conference ${c.conferenceId}`);
  if (by !== participant) assertPresenter(c, by, command.type);
  return [
    {
      type: 'conference.participant_left.v1',
      data: { conferenceId: c.conferenceId, participant, reason: by === participant ? 'left' : 'removed', by, at: context.now() },
    },
  ];
}

function setMute(
  command: ConferenceCommandOf<'MuteParticipant'> | ConferenceCommandOf<'UnmuteParticipant'>,
  state: ConferenceState,
  context: DecisionContext,
): ConferenceEvent[] {
  const c = live(state, command.type);
  const { participant, by } = command.data;
  const p = c.participants.get(participant);
  if (!p) throw new DomainError('not_a_participant', `${participant} is not in conference ${c.conferenceId}`);
  // Anyone may mute themselves; muting others is a presenter's job.
  if (by !== participant) assertPresenter(c, by, command.type);
  const mute = command.type === 'MuteParticipant';
  if (p.muted === mute) return [];
  const data = { conferenceId: c.conferenceId, participant, by, at: context.now() };
  return mute ? [{ type: 'conference.participant_muted.v1', data }] : [{ type: 'conference.participant_unmuted.v1', data }];
}

function lock(command: ConferenceCommandOf<'LockConference'>, state: ConferenceState, context: DecisionContext): ConferenceEvent[] {
  const c = live(state, command.type);
  assertPresenter(c, command.data.by, command.type);
  if (c.access === 'locked') return [];
  return [{ type: 'conference.locked.v1', data: { conferenceId: c.conferenceId, by: command.data.by, at: context.now() } }];
}

function unlock(command: ConferenceCommandOf<'UnlockConference'>, state: ConferenceState, context: DecisionContext): ConferenceEvent[] {
  const c = live(state, command.type);
  assertPresenter(c, command.data.by, command.type);
  if (c.access !== 'locked') return [];
  return [
    {
      type: 'conference.unlocked.v1',
      data: { conferenceId: c.conferenceId, by: command.data.by, access: command.data.access ?? 'open', at: context.now() },
    },
  ];
}

export function decideConference(command: ConferenceCommand, state: ConferenceState, context: DecisionContext): readonly ConferenceEvent[] {
  switch (command.type) {
    case 'ScheduleConference':
      return schedule(command, state, context);
    case 'ActivateConference': {
      const c = live(state, command.type);
      if (c.status === 'active') return [];
      return [{ type: 'conference.activated.v1', data: { conferenceId: c.conferenceId, at: context.now() } }];
    }
    case 'JoinConference':
      return joinConference(command, state, context);
    case 'AdmitParticipant':
      return admit(command, state, context);
    case 'LeaveConference':
      return leave(command, state, context);
    case 'MuteParticipant':
    case 'UnmuteParticipant':
      return setMute(command, state, context);
    case 'LockConference':
      return lock(command, state, context);
    case 'UnlockConference':
      return unlock(command, state, context);
    case 'EndConference': {
      const c = live(state, command.type);
      const by = command.data.by ?? null;
      if (by !== null) assertPresenter(c, by, command.type);
      return [{ type: 'conference.ended.v1', data: { conferenceId: c.conferenceId, by, at: context.now() } }];
    }
    default:
      return assertNever(command, 'conference command');
  }
}

/** A conference (`conference-<id>`): schedule, access control, roster and media state. */
export const conferenceDecider: Decider<ConferenceCommand, ConferenceEvent, ConferenceState> = {
  category: 'conference',
  eventTypes: CONFERENCE_EVENT_TYPES,
  initialState: initialConferenceState,
  evolve: evolveConference,
  decide: decideConference,
};
