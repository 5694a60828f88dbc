import type { z } from 'zod';
import type { ImEvent } from '../../events/domain/im-events.ts';
import { assertNever, type DecisionContext, type Decider } from '../decider.ts';
import { DomainError } from '../domain-error.ts';
import type { ImCommand, ImCommandOf, ImMessageInputSchema } from './im-commands.ts';
import { evolveIm, IM_EVENT_TYPES, initialImState, type ImSession, type ImState } from './im-state.ts';

type MessageInput = z.infer<typeof ImMessageInputSchema>;

function messageSent(
  sessionId: string,
  participants: readonly string[],
  input: MessageInput,
  context: DecisionContext,
): ImEvent {
  if (!participants.includes(input.sender))
    throw new DomainError('not_a_participant', `${input.sender} is not in IM session ${sessionId}`);
  const recipients = input.recipients ?? participants.filter((p) => p !== input.sender);
  const stranger = recipients.find((r) => r === input.sender || !participants.includes(r));
  if (stranger !== undefined)
    throw new DomainError('not_a_participant', `recipient ${stranger} is not another participant of ${sessionId}`);
  return {
    type: 'im.message_sent.v1',
    data: {
      sessionId,
      messageId: context.newId(),
      sender: input.sender,
      recipients,
      contentType: input.contentType,
      // Without archiving, the log keeps that a message was sent, not its text.
      body: input.archive ? input.body : null,
      archived: input.archive,
      at: context.now(),
    },
  };
}

function startSession(command: ImCommandOf<'StartImSession'>, state: ImState, context: DecisionContext): ImEvent[] {
  if (state.status !== 'none') throw new DomainError('session_exists', `IM session ${state.sessionId} already exists`);
  const d = command.data;
  const participants = [d.initiator, ...d.invitees.filter((p) => p !== d.initiator)];
  if (participants.length < 2)
    throw new DomainError('not_a_participant', `IM session ${d.sessionId} needs someone besides ${d.initiator}`);
  const events: ImEvent[] = [
    { type: 'im.session_started.v1', data: { sessionId: d.sessionId, initiator: d.initiator, participants, at: context.now() } },
  ];
  if (d.message) events.push(messageSent(d.sessionId, participants, d.message, context));
  return events;
}

function openSession(state: ImState, what: string): ImSession {
  if (state.status === 'none') throw new DomainError('session_not_found', `${what}: no such IM session`);
  if (state.status === 'ended') throw new DomainError('session_ended', `${what}: IM session ${state.sessionId} has ended`);
  return state;
}

/**
 * Receipts may arrive after the session ended (a 200 crossing a BYE), so they
 * are accepted on ended sessions; only the first outcome per recipient counts.
 */
function recordOutcome(
  command: ImCommandOf<'MarkImDelivered'> | ImCommandOf<'MarkImFailed'>,
  state: ImState,
  context: DecisionContext,
): ImEvent[] {
  if (state.status === 'none') throw new DomainError('session_not_found', `${command.type}: no such IM session`);
  const { messageId, recipient } = command.data;
  const recipients = state.messages.get(messageId);
  if (!recipients) throw new DomainError('unknown_message', `IM session ${state.sessionId} has no message ${messageId}`);
  const outcome = recipients.get(recipient);
  if (outcome === undefined)
    throw new DomainError('not_a_recipient', `${recipient} is not a recipient of message ${messageId}`);
  if (outcome !== 'pending') return [];
  const ref = { sessionId: state.sessionId, messageId, recipient, at: context.now() };
  if (command.type === 'MarkImDelivered')
    return [{ type: 'im.message_delivered.v1', data: { ...ref, sipStatus: command.data.sipStatus } }];
  return [
    {
      type: 'im.message_failed.v1',
      data: { ...ref, sipStatus: command.data.sipStatus ?? null, reason: command.data.reason },
    },
  ];
}

export function decideIm(command: ImCommand, state: ImState, context: DecisionContext): readonly ImEvent[] {
  switch (command.type) {
    case 'StartImSession':
      return startSession(command, state, context);
    case 'SendImMessage': {
      const s = openSession(state, command.type);
      return [messageSent(s.sessionId, s.participants, command.data, context)];
    }
    case 'MarkImDelivered':
    case 'MarkImFailed':
      return recordOutcome(command, state, context);
    case 'EndImSession': {
      const s = openSession(state, command.type);
      const { endedBy, reason } = command.data;
      if (endedBy !== undefined && !s.participants.includes(endedBy))
        throw new DomainError('not_a_participant', `${endedBy} is not in IM session ${s.sessionId}`);
      return [
        { type: 'im.session_ended.v1', data: { sessionId: s.sessionId, endedBy: endedBy ?? null, reason, at: context.now() } },
      ];
    }
    default:
      return assertNever(command, 'im command');
  }
}

/** An IM session (`im-<sessionId>`): who is in it, what was sent, and what reached whom. */
export const imDecider: Decider<ImCommand, ImEvent, ImState> = {
  category: 'im',
  eventTypes: IM_EVENT_TYPES,
  initialState: initialImState,
  evolve: evolveIm,
  decide: decideIm,
};
