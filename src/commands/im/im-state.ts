import { imEvents, type ImEvent } from '../../events/domain/im-events.ts';
import { assertNever } from '../decider.ts';

export const IM_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(imEvents));

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface ImSession {
  readonly status: 'open' | 'ended';
  readonly sessionId: string;
  readonly participants: readonly string[];
  /** messageId → recipient → outcome. */
  readonly messages: ReadonlyMap<string, ReadonlyMap<string, DeliveryStatus>>;
}

export type ImState = { readonly status: 'none' } | ImSession;

export function initialImState(): ImState {
  return { status: 'none' };
}

function session(state: ImState, type: string): ImSession {
  if (state.status === 'none') throw new Error(`im stream is corrupt: ${type} before session_started`);
  return state;
}

function withOutcome(s: ImSession, messageId: string, recipient: string, outcome: DeliveryStatus): ImSession {
  const recipients = new Map(s.messages.get(messageId));
  recipients.set(recipient, outcome);
  const messages = new Map(s.messages);
  messages.set(messageId, recipients);
  return { ...s, messages };
}

export function evolveIm(state: ImState, event: ImEvent): ImState {
  switch (event.type) {
    case 'im.session_started.v1':
      return { status: 'open', sessionId: event.data.sessionId, participants: event.data.participants, messages: new Map() };
    case 'im.message_sent.v1': {
      const s = session(state, event.type);
      const messages = new Map(s.messages);
      messages.set(event.data.messageId, new Map(event.data.recipients.map((r) => [r, 'pending' as const])));
      return { ...s, messages };
    }
    case 'im.message_delivered.v1':
      return withOutcome(session(state, event.type), event.data.messageId, event.data.recipient, 'delivered');
    case 'im.message_failed.v1':
      return withOutcome(session(state, event.type), event.data.messageId, event.data.recipient, 'failed');
    case 'im.session_ended.v1':
      return { ...session(state, event.type), status: 'ended' };
    default:
      return assertNever(event, 'im event');
  }
}
